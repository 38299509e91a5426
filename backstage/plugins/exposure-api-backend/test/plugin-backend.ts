// The exposure-api backend plugin in a Backstage backend (production HTTP stack, on loopback) with
// Backstage's mocks for the catalog, permissions and user info, calling the given exposure-api.
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { JsonObject } from '@backstage/types';
import { startTestBackend, type TestBackend } from '../../../test-support/backend.ts';
import { SANDBOX_TOKENS } from '../../../test-support/sandbox.ts';

function component(name: string, owner: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

/** The catalog: entities of the search team, of the payments team, and awkward ones. */
export const ENTITIES: Entity[] = [
  component('search-es', 'search', {
    'backstage.io/kubernetes-namespace': 'search',
    'backstage.io/kubernetes-label-selector': 'app=elasticsearch',
  }),
  component('billing', 'group:default/payments', {
    'backstage.io/kubernetes-namespace': 'payments',
    'backstage.io/kubernetes-label-selector': 'app=billing',
  }),
  // Written by the search team, pointing at the payments team's namespace and workload.
  component('sneaky', 'search', {
    'backstage.io/kubernetes-namespace': 'payments',
    'backstage.io/kubernetes-label-selector': 'app=billing',
  }),
  component('unannotated', 'search', {}),
  component('bad-selector', 'search', {
    'backstage.io/kubernetes-namespace': 'search',
    'backstage.io/kubernetes-label-selector': 'app in (',
  }),
];

export interface PluginBackendOptions {
  exposureApiUrl: string;
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  exposureApi?: JsonObject;
  /** The groups the signed-in users belong to (their ownership references besides themselves). */
  groups?: string[];
}

export function startPluginBackend(options: PluginBackendOptions): Promise<TestBackend> {
  return startTestBackend({
    features: [
      // As a Backstage backend installs it.
      import('@exposure-api/backstage-plugin-exposure-api-backend'),
      mockServices.permissions.factory({ result: options.permission ?? AuthorizeResult.ALLOW }),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => mockServices.userInfo(options.groups && { ownershipEntityRefs: options.groups }),
      }),
      catalogServiceMock.factory({ entities: ENTITIES }),
    ],
    config: {
      exposureApi: {
        baseUrl: options.exposureApiUrl,
        token: SANDBOX_TOKENS.admin.token,
        namespaces: [
          { name: 'search', owners: ['group:default/search'] },
          { name: 'payments', owners: ['group:default/payments'] },
        ],
        ...options.exposureApi,
      },
    },
  });
}

export interface Answer {
  status: number;
  body: { error?: { name: string; message: string }; items?: { id: string }[]; id?: string };
  headers: Headers;
}

/** A request to the plugin's routes as `user` (a signed-in user's token, from mockCredentials). */
export async function callPlugin(
  backend: TestBackend,
  method: 'GET' | 'DELETE',
  path: string,
  authorization: string = mockCredentials.user.header('user:default/alice'),
): Promise<Answer> {
  const response = await fetch(`${backend.url}/api/exposure-api${path}`, {
    method,
    headers: { authorization },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}
