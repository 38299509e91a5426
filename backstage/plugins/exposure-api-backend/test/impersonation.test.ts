// With exposureApi.impersonate, the plugin calls exposure-api with its own token on behalf of the
// signed-in user: Impersonate-User and Impersonate-Group on every call. A recording proxy in front
// of the sandbox shows what is sent.
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { TestBackend } from '../../../test-support/backend.ts';
import { type HeaderRecorder, startHeaderRecorder } from '../../../test-support/header-recorder.ts';
import { SANDBOX_TOKENS, type Sandbox, startExposureSandbox } from '../../../test-support/sandbox.ts';
import { callPlugin, startPluginBackend } from './plugin-backend.ts';

let sandbox: Sandbox;
let recorder: HeaderRecorder;
let backend: TestBackend;
before(async () => {
  sandbox = await startExposureSandbox();
  recorder = await startHeaderRecorder(sandbox.apiUrl);
  backend = await startPluginBackend({
    exposureApiUrl: recorder.url,
    exposureApi: { impersonate: true },
    groups: ['user:default/alice', 'group:default/search', 'group:default/sre'],
  });
});
after(async () => {
  await backend?.stop();
  await recorder?.close();
  await sandbox?.close();
});

test('every call to exposure-api carries the signed-in user and their groups, beside the plugin token', async () => {
  const list = await callPlugin(backend, 'GET', '/entities/default/component/search-es/exposures');
  assert.equal(list.status, 200);
  assert.ok(recorder.requests.length > 0);
  for (const request of recorder.requests) {
    assert.equal(request.headers.authorization, `Bearer ${SANDBOX_TOKENS.admin.token}`);
    assert.equal(request.headers['impersonate-user'], 'user:default/alice');
    // One Impersonate-Group header per group; Node joins repeated headers with ", ".
    assert.equal(request.headers['impersonate-group'], 'group:default/search, group:default/sre');
  }
  const other = await callPlugin(
    backend,
    'GET',
    '/entities/default/component/search-es/exposures',
    mockCredentials.user.header('user:default/bob'),
  );
  assert.equal(other.status, 200);
  assert.equal(recorder.requests.at(-1)?.headers['impersonate-user'], 'user:default/bob');
});
