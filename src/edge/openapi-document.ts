// Builds the OpenAPI document exactly as the running service serves it, without a cluster or GCE:
// the document depends only on the routes and their schemas.
import { pino } from 'pino';
import { createGceFirewalls } from '../adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../adapters/gce/pass-through-auth.ts';
import { parseConfig } from '../config/load.ts';
import { createRuntime } from '../runtime.ts';
import { InMemoryCluster } from '../sandbox/in-memory-cluster.ts';

export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const config = parseConfig({
    cluster: { id: 'openapi' },
    gce: { project: 'openapi' },
    firewall: { targetTags: ['openapi'] },
  });
  // Nothing is started, so neither the cluster nor GCE is ever called.
  const firewalls = createGceFirewalls({
    project: 'openapi',
    apiEndpoint: '127.0.0.1',
    port: 9,
    protocol: 'http',
    authClient: passThroughAuthClient(),
  });
  const runtime = await createRuntime({
    config,
    cluster: new InMemoryCluster(),
    firewalls,
    logger: pino({ level: 'silent' }),
  });
  await runtime.app.ready();
  const document = runtime.app.swagger() as unknown as Record<string, unknown>;
  await runtime.app.close();
  await firewalls.close();
  return document;
}
