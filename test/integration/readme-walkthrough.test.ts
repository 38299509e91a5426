// The README's walkthroughs are run verbatim against a sandbox (only its ports are swapped for the
// test's), so the front door cannot rot.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SANDBOX_DRIFT_CHECK_SECONDS, type Sandbox } from '../../src/sandbox/sandbox.ts';
import { ADMIN, call, createAsAdmin, startTestSandbox } from '../support/test-sandbox.ts';

const readme = readFileSync('README.md', 'utf8');

function walkthrough(name: string): string {
  const marker = `<!-- walkthrough: ${name} -->`;
  const start = readme.indexOf(marker);
  assert.ok(start >= 0, `README has no walkthrough '${name}'`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(block?.[1], `walkthrough '${name}' has no sh block`);
  return block[1];
}

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

describe('README walkthroughs', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({
      config: {
        // The drift sweep runs as in the sandbox users start (the drift walkthrough waits for it).
        reconciler: { driftCheckSeconds: SANDBOX_DRIFT_CHECK_SECONDS },
        probe: {
          timeoutMs: 1000,
          cacheTtlMs: 5000,
          concurrency: 64,
          maxProbesPerRead: 2000,
          cacheEntries: 1000,
          addressType: 'InternalIP',
        },
      },
    });
  });
  after(() => sandbox.close());

  // The sandbox runs in this process: the walkthrough must run asynchronously, or the server
  // could not answer it.
  async function run(name: string): Promise<string> {
    const api = new URL(sandbox.apiUrl).host;
    const emulator = new URL(sandbox.emulator.url).host;
    const script = walkthrough(name).replaceAll('127.0.0.1:8080', api).replaceAll('127.0.0.1:8085', emulator);
    // Standard input is a pipe here, as in a script: the README's commands must not wait on it.
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, 0, `walkthrough '${name}' failed:\n${stdout}\n${stderr}`);
    return stdout;
  }

  test('curl: create → read → reach the workload → fail a node → read → delete', async (t) => {
    if (!hasCommand('jq')) return t.skip('jq is not installed');
    const output = await run('curl');
    assert.match(output, /"phase": "Ready"/);
    const firstRead = output.slice(0, output.indexOf('"conditions"'));
    assert.equal(firstRead.match(/"health": "Healthy"/g)?.length, 3, 'three endpoints, all Healthy');
    assert.match(output, /FirewallReady=True UpToDate/);
    assert.match(output, /You Know, for Search/);
    assert.match(output, /^refused: 127\.0\.0\.1 is not in 203\.0\.113\.0\/24$/m);
    const afterFailure = output.slice(output.indexOf('"failed":true'));
    assert.match(
      afterFailure,
      /\{"node":"sandbox-node-2","state":"Unhealthy","error":"connection refused"\}/,
    );
    assert.equal(afterFailure.match(/"state":"Healthy"/g)?.length, 2, 'the other two stay Healthy');
    assert.match(output, /^204$/m);
    assert.match(
      output,
      /^exposure_api_http_request_duration_seconds_count\{method="POST",route="\/exposures",status_code="201"\} 1$/m,
    );
    assert.match(output, /^exposure_api_reconciles_total\{outcome="ok"\} \d+$/m);
    assert.match(output, /^exposure_api_probes_total\{result="healthy"\} \d+$/m);
    assert.match(output, /^exposure_api_probes_total\{result="unhealthy"\} \d+$/m);
    assert.deepEqual(sandbox.emulator.rules(sandbox.config.gce.project), []);
  });

  test('curl: a bad request is a problem naming the fields', async (t) => {
    if (!hasCommand('jq')) return t.skip('jq is not installed');
    const output = await run('curl-errors');
    const problem = JSON.parse(output) as { type: string; errors: { pointer: string; detail: string }[] };
    assert.equal(problem.type, '/problems/validation-failed');
    assert.deepEqual(
      problem.errors.map((e) => e.pointer),
      ['/sourceRanges/0', '/sourceRanges/1'],
    );
    assert.match(problem.errors[0]?.detail ?? '', /did you mean '10\.0\.0\.0\/8'/);
  });

  test('httpie: create → read → reach → fail a node → read → delete', async (t) => {
    if (!hasCommand('http') || !hasCommand('jq')) {
      if (process.env.CI === 'true') assert.fail('httpie and jq must be installed in CI');
      return t.skip('httpie (http) or jq is not installed');
    }
    const output = await run('httpie');
    assert.match(output, /"Ready"\n\["Healthy","Healthy","Healthy"\]/);
    assert.match(output, /You Know, for Search/);
    assert.match(output, /^refused: 127\.0\.0\.1 is not in 203\.0\.113\.0\/24$/m);
    assert.match(output, /\{"node":"sandbox-node-2","state":"Unhealthy"\}/);
    assert.match(output, /HTTP\/1\.1 204 No Content/);
  });

  test('gcloud lists the rule of an exposure with its port and ranges, and nothing after the delete', async (t) => {
    if (!hasCommand('gcloud')) {
      if (process.env.CI === 'true') assert.fail('gcloud must be installed in CI');
      return t.skip('gcloud is not installed');
    }
    const created = await createAsAdmin<{ id: string; firewall: { rules: { name: string }[] } }>(sandbox);
    assert.equal(created.status, 201);
    const listed = await run('gcloud');
    const ruleName = created.body.firewall.rules[0]?.name as string;
    const line = listed.split('\n').find((l) => l.startsWith(ruleName));
    assert.ok(line, listed);
    assert.match(line, /203\.0\.113\.0\/24/);
    assert.match(line, /tcp:30920/);
    assert.match(line, /sandbox-node/);
    const deleted = await call(sandbox, {
      method: 'DELETE',
      url: `/exposures/${created.body.id}`,
      headers: { authorization: ADMIN },
    });
    assert.equal(deleted.status, 204);
    assert.doesNotMatch(await run('gcloud'), /exp-sandbox-/);
  });

  test('drift: a rule opened to 0.0.0.0/0 with gcloud is seen (Degraded, Drifted) and put back, as its events tell', async (t) => {
    if (!hasCommand('gcloud') || !hasCommand('jq')) {
      if (process.env.CI === 'true') assert.fail('gcloud and jq must be installed in CI');
      t.diagnostic('SKIPPED LOUDLY: the drift walkthrough needs gcloud and jq, which are not installed here');
      return t.skip('gcloud or jq is not installed');
    }
    const output = await run('drift');
    t.diagnostic(output);
    assert.match(output, /^203\.0\.113\.0\/24$/m, 'the rule is back to its spec');
    const seen = output
      .split('\n')
      .filter((line) => line.startsWith('['))
      .map((line) => JSON.parse(line) as [string, string]);
    const drifted = seen.findIndex(
      ([phase, firewall]) =>
        phase === 'Degraded' && /^Drifted: .*widened out of band to 0\.0\.0\.0\/0/.test(firewall),
    );
    assert.ok(drifted > 0, `Ready first, then Degraded/Drifted:\n${output}`);
    assert.equal(seen[0]?.[0], 'Ready');
    assert.ok(
      seen
        .slice(drifted + 1)
        .some(([phase, firewall]) => phase === 'Ready' && firewall.startsWith('Repaired: ')),
      `then Ready/Repaired:\n${output}`,
    );
    const events = output.split('\n').filter((line) => /^(Normal|Warning) /.test(line));
    const reasons = events.map((line) => line.split(' ')[1]?.replace(/:$/, ''));
    assert.deepEqual(reasons.slice(0, 2), ['FirewallRepaired', 'FirewallDrifted'], events.join('\n'));
    assert.ok(events[1]?.startsWith('Warning FirewallDrifted: '));
    assert.equal(reasons.at(-1), 'FirewallCreated');
    assert.match(output, /^204$/m);
  });
});
