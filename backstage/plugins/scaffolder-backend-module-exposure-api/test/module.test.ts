// The module in a Backstage backend: it reads exposureApi.* and adds its actions to the scaffolder
// (here a stand-in plugin providing the scaffolder's actions extension point).
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint, type TemplateAction } from '@backstage/plugin-scaffolder-node';
import { startTestBackend } from '../../../test-support/backend.ts';

// As a Backstage backend installs it.
const scaffolderModule = import('@exposure-api/backstage-plugin-scaffolder-backend-module-exposure-api');

function scaffolderStandIn(added: TemplateAction[]) {
  return createBackendPlugin({
    pluginId: 'scaffolder',
    register(env) {
      env.registerExtensionPoint(scaffolderActionsExtensionPoint, {
        addActions: (...actions) => void added.push(...actions),
      });
      env.registerInit({ deps: {}, async init() {} });
    },
  });
}

test('the module adds the create, get and delete actions, with their input and output schemas', async () => {
  const added: TemplateAction[] = [];
  const backend = await startTestBackend({
    features: [scaffolderModule, scaffolderStandIn(added), mockServices.userInfo.factory()],
    config: {
      exposureApi: {
        baseUrl: 'http://exposure-api.exposure-api.svc:8080',
        tokenFile: '/var/run/secrets/token',
      },
    },
  });
  try {
    assert.deepEqual(
      added.map((action) => action.id),
      ['exposure-api:exposure:create', 'exposure-api:exposure:get', 'exposure-api:exposure:delete'],
    );
    const create = added[0]?.schema;
    assert.deepEqual(create?.input?.required, ['namespace', 'name', 'selector', 'ports', 'sourceRanges']);
    assert.deepEqual(Object.keys(create?.output?.properties ?? {}), ['id', 'phase', 'endpoints', 'link']);
  } finally {
    await backend.stop();
  }
});

test('a backend whose exposureApi settings contradict each other does not start, and says why', async () => {
  await assert.rejects(
    startTestBackend({
      features: [scaffolderModule, scaffolderStandIn([]), mockServices.userInfo.factory()],
      config: { exposureApi: { baseUrl: 'http://exposure-api:8080', token: 'a', tokenFile: '/b' } },
    }),
    /set exactly one of token .* and tokenFile/,
  );
});
