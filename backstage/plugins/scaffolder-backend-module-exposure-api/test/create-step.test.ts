// The create step against a sandbox: a retried step makes one exposure, two steps (or two iterations
// of an each: loop) make two, bad input shows the field at fault in the task log, waitFor and the
// step's abort signal and timeout are honoured.
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConflictError, InputError } from '@backstage/errors';
import {
  SANDBOX_TOKENS,
  type Sandbox,
  servicesIn,
  startExposureSandbox,
} from '../../../test-support/sandbox.ts';
import { TaskLog } from '../../../test-support/task-log.ts';
import { runTemplate, TaskState, type TemplateStep } from '../../../test-support/template-runner.ts';
import { exposureActions, stepsOnly } from './exposure-actions.ts';

let sandbox: Sandbox;
let actions: ReturnType<typeof exposureActions>;
before(async () => {
  sandbox = await startExposureSandbox();
  actions = exposureActions(sandbox.apiUrl);
});
after(() => sandbox?.close());

/** A create step exposing the demo workload (namespace search) as `name`. */
function createStep(id: string, name: string, input: Record<string, unknown> = {}): TemplateStep {
  return {
    id,
    action: 'exposure-api:exposure:create',
    input: {
      namespace: 'search',
      name,
      selector: { app: 'elasticsearch' },
      ports: [{ name: 'http', port: 9200 }],
      sourceRanges: ['203.0.113.0/24'],
      waitFor: 'None',
      ...input,
    },
  };
}

async function deleteAll(namespace: string): Promise<void> {
  const all = await fetch(`${sandbox.apiUrl}/exposures?namespace=${namespace}`, {
    headers: { authorization: `Bearer ${SANDBOX_TOKENS.admin.token}` },
  });
  const { items } = (await all.json()) as { items: { id: string }[] };
  for (const { id } of items) {
    await runTemplate({
      spec: stepsOnly([{ id: 'delete', action: 'exposure-api:exposure:delete', input: { id } }]),
      parameters: {},
      actions,
      taskId: `cleanup-${id}`,
      log: new TaskLog('cleanup'),
    });
  }
  assert.deepEqual(servicesIn(sandbox, namespace), []);
}

test('a retried create step makes one exposure: the checkpoint answers it, or else the Idempotency-Key does', async () => {
  const spec = stepsOnly([createStep('expose', 'es-retried')]);
  const state = new TaskState();
  const first = await runTemplate({
    spec,
    parameters: {},
    actions,
    taskId: 'task-retry',
    log: new TaskLog('run 1'),
    state,
  });
  // The task retried with its checkpoints: the step calls nothing and outputs the same exposure.
  const retriedLog = new TaskLog('run 2, checkpoints kept');
  const retried = await runTemplate({
    spec,
    parameters: {},
    actions,
    taskId: 'task-retry',
    log: retriedLog,
    state,
  });
  assert.ok(!retriedLog.text.includes('Exposing search/es-retried'), 'no second create request');
  // The step stopped after its request but before its checkpoint was kept: it asks again, with the
  // same Idempotency-Key, and exposure-api answers the exposure it made the first time.
  const lostLog = new TaskLog('run 3, checkpoint lost');
  const repeated = await runTemplate({ spec, parameters: {}, actions, taskId: 'task-retry', log: lostLog });
  assert.match(lostLog.text, /Exposing search\/es-retried/);

  const ids = [first, retried, repeated].map((run) => run.steps.expose?.output.id);
  assert.equal(new Set(ids).size, 1, ids.join(', '));
  const exposures = servicesIn(sandbox, 'search');
  console.log(`exposures after three runs of one create step: ${exposures.length} (${exposures.join(', ')})`);
  assert.deepEqual(exposures, ['es-retried']);
  await deleteAll('search');
});

test('two create steps in one task make two exposures (the key holds the step)', async () => {
  const run = await runTemplate({
    spec: stepsOnly([createStep('expose-http', 'es-one'), createStep('expose-admin', 'es-two')]),
    parameters: {},
    actions,
    taskId: 'task-two-steps',
    log: new TaskLog('two steps'),
  });
  assert.notEqual(run.steps['expose-http']?.output.id, run.steps['expose-admin']?.output.id);
  assert.deepEqual(servicesIn(sandbox, 'search'), ['es-one', 'es-two']);
  await deleteAll('search');
});

test('an each: loop makes one exposure per iteration, also when retried', async () => {
  const step: TemplateStep = {
    ...createStep('expose-each', 'unused'),
    each: ['blue', 'green'],
  };
  // biome-ignore lint/suspicious/noTemplateCurlyInString: scaffolder expressions, rendered by the step runner
  step.input = { ...step.input, name: 'es-${{ each.value }}', iteration: '${{ each.key }}' };
  const state = new TaskState();
  const spec = stepsOnly([step]);
  const first = await runTemplate({
    spec,
    parameters: {},
    actions,
    taskId: 'task-each',
    log: new TaskLog('each'),
    state,
  });
  await runTemplate({
    spec,
    parameters: {},
    actions,
    taskId: 'task-each',
    log: new TaskLog('each, retried'),
    state,
  });
  const ids = first.steps['expose-each']?.output.id as string[];
  assert.equal(ids.length, 2);
  assert.notEqual(ids[0], ids[1]);
  assert.deepEqual(servicesIn(sandbox, 'search'), ['es-blue', 'es-green']);
  await deleteAll('search');
});

test('input exposure-api refuses: the task log names the field at fault, the step fails with an InputError', async () => {
  const log = new TaskLog('bad source range');
  const failure = await runTemplate({
    spec: stepsOnly([createStep('expose', 'es-bad', { sourceRanges: ['10.0.0.1/8'] })]),
    parameters: {},
    actions,
    taskId: 'task-bad-input',
    log,
  }).catch((error: unknown) => error);
  assert.ok(failure instanceof InputError, String(failure));
  assert.match(failure.message, /\/sourceRanges\/0/);
  const errors = log.lines.filter((line) => line.level === 'error').map((line) => line.message);
  assert.ok(
    errors.some((message) => message.includes('/sourceRanges/0')),
    errors.join('\n'),
  );
  assert.deepEqual(servicesIn(sandbox, 'search'), [], 'nothing was written');
});

test('a name another exposure holds is a ConflictError', async () => {
  const spec = stepsOnly([createStep('expose', 'es-taken')]);
  await runTemplate({ spec, parameters: {}, actions, taskId: 'task-taken-1', log: new TaskLog('first') });
  const failure = await runTemplate({
    spec,
    parameters: {},
    actions,
    taskId: 'task-taken-2',
    log: new TaskLog('second'),
  }).catch((error: unknown) => error);
  assert.ok(failure instanceof ConflictError, String(failure));
  await deleteAll('search');
});

test('waitFor FirewallReady returns once the rules are in place, before any pod serves', async () => {
  const log = new TaskLog('firewall first');
  const run = await runTemplate({
    spec: stepsOnly([
      createStep('expose', 'later', { selector: { app: 'deployed-later' }, waitFor: 'FirewallReady' }),
    ]),
    parameters: {},
    actions,
    taskId: 'task-firewall',
    log,
  });
  const output = run.steps.expose?.output ?? {};
  assert.notEqual(output.phase, 'Ready');
  assert.deepEqual(output.endpoints, []);
  assert.match(log.text, /FirewallReady=True/);
  await deleteAll('search');
});

test("the step's abort signal ends the wait; so does its timeout", async () => {
  const neverReady = (name: string, input: Record<string, unknown> = {}) =>
    stepsOnly([createStep('expose', name, { selector: { app: 'absent' }, waitFor: 'Ready', ...input })]);
  const cancel = new AbortController();
  setTimeout(() => cancel.abort(), 1_500);
  const started = performance.now();
  const cancelled = await runTemplate({
    spec: neverReady('cancelled'),
    parameters: {},
    actions,
    taskId: 'task-cancelled',
    log: new TaskLog('cancelled'),
    signal: cancel.signal,
  }).catch((error: unknown) => error);
  assert.match(String(cancelled), /cancelled while waiting for exp_\w+ to be Ready/);
  assert.ok(performance.now() - started < 10_000);

  const timedOut = await runTemplate({
    spec: neverReady('timed-out', { timeoutSeconds: 2 }),
    parameters: {},
    actions,
    taskId: 'task-timeout',
    log: new TaskLog('timeout'),
  }).catch((error: unknown) => error);
  assert.match(String(timedOut), /exp_\w+ is not Ready after 2 s: \w+, ServiceReady=True/);
  await deleteAll('search');
});
