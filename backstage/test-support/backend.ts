// A Backstage backend for tests, served by Backstage's production HTTP stack (the root router of
// @backstage/backend-defaults, with its helmet, cors and compression middleware) on loopback, with
// Backstage's own mocks for authentication, user info, permissions and the catalog.
//
// startTestBackend (backend-test-utils) is not used: it listens on every interface, and its root
// router leaves out the compression a stream has to get through.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';

export interface TestBackend {
  /** The backend's base URL, e.g. http://127.0.0.1:39031 */
  url: string;
  stop(): Promise<void>;
}

export interface TestBackendOptions {
  /** The plugin or module under test (as `backend.add` takes it), and services replacing the defaults. */
  features: (BackendFeature | Promise<{ default: BackendFeature }>)[];
  /** app-config beyond `backend.*`. */
  config: JsonObject;
}

export async function startTestBackend(options: TestBackendOptions): Promise<TestBackend> {
  let server: Server | undefined;
  const backend = createBackend();
  for (const feature of [
    mockServices.rootConfig.factory({
      data: {
        backend: { baseUrl: 'http://127.0.0.1', listen: { host: '127.0.0.1', port: 0 } },
        ...options.config,
      },
    }),
    mockServices.rootLogger.factory({ level: 'warn' }),
    mockServices.auth.factory(),
    mockServices.httpAuth.factory(),
    rootHttpRouterServiceFactory({
      configure(context) {
        server = context.server;
        context.applyDefaults();
      },
    }),
    ...options.features,
  ]) {
    backend.add(feature);
  }
  try {
    await backend.start();
  } catch (error) {
    // What started before the failure (the HTTP server among it) would keep the test running.
    await backend.stop();
    throw error;
  }
  if (!server) throw new Error('the backend started without its HTTP server');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, stop: () => backend.stop() };
}
