// With exposureApi.impersonate, every call the actions make carries the user who started the task
// and their groups (Impersonate-User, Impersonate-Group), beside the plugin's own token; a task
// started by anyone but a user is refused before anything is sent. A recording proxy in front of the
// sandbox shows what is sent (the sandbox itself does not act on these headers).
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mockCredentials } from '@backstage/backend-test-utils';
import { NotAllowedError } from '@backstage/errors';
import { type HeaderRecorder, startHeaderRecorder } from '../../../test-support/header-recorder.ts';
import { SANDBOX_TOKENS, type Sandbox, startExposureSandbox } from '../../../test-support/sandbox.ts';
import { TaskLog } from '../../../test-support/task-log.ts';
import { runTemplate } from '../../../test-support/template-runner.ts';
import { exampleTemplate, exposureActions, stepsOnly } from './exposure-actions.ts';

let sandbox: Sandbox;
let recorder: HeaderRecorder;
before(async () => {
  sandbox = await startExposureSandbox();
  recorder = await startHeaderRecorder(sandbox.apiUrl);
});
after(async () => {
  await recorder?.close();
  await sandbox?.close();
});

const parameters = {
  namespace: 'search',
  app: 'elasticsearch',
  port: 9200,
  sourceRanges: ['203.0.113.0/24'],
  waitFor: 'Ready',
};

test('impersonate: true sends the user and their groups with every call, the watch included', async () => {
  const actions = exposureActions(recorder.url, { impersonate: true });
  recorder.requests.length = 0;
  const run = await runTemplate({
    spec: await exampleTemplate(),
    parameters: { ...parameters, name: 'as-the-user' },
    actions,
    taskId: 'task-impersonated',
    log: new TaskLog('impersonated'),
  });
  await runTemplate({
    spec: stepsOnly([
      {
        id: 'delete',
        action: 'exposure-api:exposure:delete',
        input: { id: run.steps.expose?.output.id ?? null },
      },
    ]),
    parameters: {},
    actions,
    taskId: 'task-impersonated-cleanup',
    log: new TaskLog('impersonated cleanup'),
  });
  const seen = recorder.requests.map(
    (request) => `${request.method} ${request.path.replace(/exp_\w+/, '{id}')}`,
  );
  assert.deepEqual(seen, ['POST /exposures', 'GET /exposures/{id}/watch', 'DELETE /exposures/{id}']);
  for (const request of recorder.requests) {
    // mockCredentials.user() is user:default/mock; the mock user-info service gives their groups.
    assert.equal(request.headers['impersonate-user'], 'user:default/mock');
    assert.equal(request.headers['impersonate-group'], 'group:default/search');
    assert.equal(request.headers.authorization, `Bearer ${SANDBOX_TOKENS.admin.token}`);
  }
});

test('without impersonate, calls carry the plugin token alone', async () => {
  const actions = exposureActions(recorder.url);
  recorder.requests.length = 0;
  const run = await runTemplate({
    spec: await exampleTemplate(),
    parameters: { ...parameters, name: 'as-the-plugin', waitFor: 'None' },
    actions,
    taskId: 'task-plain',
    log: new TaskLog('plain'),
  });
  assert.ok(run.steps.expose?.output.id);
  assert.ok(recorder.requests.length > 0);
  for (const request of recorder.requests) {
    assert.equal(request.headers['impersonate-user'], undefined);
    assert.equal(request.headers['impersonate-group'], undefined);
  }
});

test('impersonate: true and a task no user started: refused, nothing sent', async () => {
  const actions = exposureActions(recorder.url, { impersonate: true });
  recorder.requests.length = 0;
  const failure = await runTemplate({
    spec: await exampleTemplate(),
    parameters: { ...parameters, name: 'as-a-service' },
    actions,
    taskId: 'task-service',
    log: new TaskLog('service'),
    initiator: mockCredentials.service('plugin:catalog'),
  }).catch((error: unknown) => error);
  assert.ok(failure instanceof NotAllowedError, String(failure));
  assert.deepEqual(recorder.requests, []);
});
