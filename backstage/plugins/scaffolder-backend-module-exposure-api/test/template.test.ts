// The example template, run step by step as the scaffolder runs it, against a sandbox of this test's
// own: create → Ready (followed through the status stream, logged) → the endpoints in the outputs →
// delete. The task log is printed as it is written.
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Sandbox, servicesIn, startExposureSandbox } from '../../../test-support/sandbox.ts';
import { TaskLog } from '../../../test-support/task-log.ts';
import { runTemplate } from '../../../test-support/template-runner.ts';
import { exampleTemplate, exposureActions, stepsOnly } from './exposure-actions.ts';

let sandbox: Sandbox;
before(async () => {
  sandbox = await startExposureSandbox();
});
after(() => sandbox?.close());

test('the example template exposes a workload, waits until it is Ready and outputs its endpoints; delete removes it', async () => {
  const actions = exposureActions(sandbox.apiUrl);
  const log = new TaskLog('expose-workload');
  const run = await runTemplate({
    spec: await exampleTemplate(),
    parameters: {
      namespace: 'search',
      name: 'es-from-template',
      app: 'elasticsearch',
      port: 9200,
      sourceRanges: ['203.0.113.0/24'],
      waitFor: 'Ready',
    },
    actions,
    taskId: 'task-template-1',
    log,
  });
  const output = run.steps.expose?.output ?? {};
  console.log('step outputs:', JSON.stringify(output, null, 2));
  console.log('template output:', JSON.stringify(run.output, null, 2));

  assert.equal(output.phase, 'Ready');
  const endpoints = output.endpoints as string[];
  const nodes = sandbox.addresses.nodes;
  assert.equal(endpoints.length, nodes.length, 'one healthy endpoint per node');
  for (const url of endpoints) assert.match(url, /^http:\/\/127\.\d+\.\d+\.\d+:\d+$/);
  assert.equal(output.link, `${sandbox.apiUrl}/exposures/${output.id}`);
  // The task log: the request, the states the exposure went through, and every endpoint URL.
  assert.match(
    log.text,
    /Exposing search\/es-from-template \(Idempotency-Key backstage-scaffolder-[0-9a-f]{64}\)/,
  );
  assert.match(log.text, new RegExp(`${output.id} search/es-from-template: Ready \\(ServiceReady=True`));
  for (const url of endpoints)
    assert.ok(
      log.lines.some((line) => line.message.trim() === url),
      url,
    );
  // The template's own output section renders the link and the endpoints.
  const rendered = run.output as { links: { url: string }[]; text: { content: string }[] };
  assert.equal(rendered.links[0]?.url, output.link);
  for (const url of endpoints)
    assert.ok(rendered.text[0]?.content.includes(`- ${url}`), rendered.text[0]?.content);
  assert.deepEqual(servicesIn(sandbox, 'search'), ['es-from-template']);

  const cleanup = await runTemplate({
    spec: stepsOnly([
      {
        id: 'remove',
        name: 'Remove the exposure',
        action: 'exposure-api:exposure:delete',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a scaffolder expression, rendered by the step runner
        input: { id: '${{ parameters.id }}' },
      },
    ]),
    parameters: { id: output.id as string },
    actions,
    taskId: 'task-template-2',
    log: new TaskLog('remove-exposure'),
  });
  assert.equal(cleanup.steps.remove?.output.state, 'deleted');
  assert.deepEqual(servicesIn(sandbox, 'search'), []);
  assert.deepEqual(sandbox.emulator.rules(sandbox.config.gce.project), [], 'the firewall rule is gone too');
});
