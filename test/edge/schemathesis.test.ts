// Fuzzing of the HTTP API against the OpenAPI document it serves: Schemathesis generates requests
// from the document (valid and invalid), sends them to a sandbox of this test's own and checks every
// answer against the document (schemathesis.toml says which checks and why). It runs once per
// sandbox token: a tenant's (namespace search) and the admin's (every namespace).
//
// Schemathesis is a Python tool: .ci/run installs the pinned version into a virtualenv under
// ~/.cache/exposure-api/. Without it this test is skipped with a loud notice; with CI=true it fails.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SANDBOX_TOKENS, type Sandbox } from '../../src/sandbox/sandbox.ts';
import { startTestSandbox } from '../support/test-sandbox.ts';

const CONFIG = resolve('schemathesis.toml');
/** Writes one run may make per token: enough for every generated case, few enough exposures to stay fast. */
const WRITES_PER_RUN = 400;
const RUN_TIMEOUT_MS = 5 * 60_000;

function schemathesisCommand(): string | undefined {
  const candidates = [
    process.env.EXPOSURE_API_SCHEMATHESIS,
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'exposure-api', 'py-tools', 'bin', 'st'),
  ];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  return spawnSync('sh', ['-c', 'command -v st']).stdout?.toString().trim() || undefined;
}

function loudSkipNotice(): void {
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\n!! SKIPPING the Schemathesis fuzzing of the API: 'st' is not installed.\n` +
      `!! Install it as .ci/run does (a virtualenv in ~/.cache/exposure-api/py-tools); CI=true makes this an error.\n${bar}\n\n`,
  );
}

interface Run {
  status: number | null;
  output: string;
}

function runSchemathesis(command: string, schemaUrl: string, token: string, workDir: string): Promise<Run> {
  return new Promise((done) => {
    // Its own working directory: Hypothesis keeps an example database in the current directory.
    const child = spawn(command, ['--no-color', '--config-file', CONFIG, 'run', schemaUrl], {
      cwd: workDir,
      env: { ...process.env, EXPOSURE_API_FUZZ_TOKEN: token },
      timeout: RUN_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (status) => done({ status, output }));
  });
}

describe('Schemathesis against the served OpenAPI document', () => {
  const command = schemathesisCommand();
  let sandbox: Sandbox;
  let workDir: string;
  before(async () => {
    if (!command) return;
    sandbox = await startTestSandbox({
      config: {
        // The fuzzer is one caller sending hundreds of requests, many with wrong tokens on purpose:
        // reads and failed authentication are not what it tests. Writes stay bounded, so that it
        // cannot fill the sandbox with exposures that slow every later case.
        rateLimit: {
          reads: { max: 1_000_000, windowSeconds: 60 },
          writes: { max: WRITES_PER_RUN, windowSeconds: 3600 },
          failedAuthentication: { max: 1_000_000, windowSeconds: 60 },
        },
      },
    });
    workDir = mkdtempSync(join(tmpdir(), 'exposure-api-schemathesis-'));
  });
  after(async () => {
    if (!command) return;
    await sandbox.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const who of ['search', 'admin'] as const) {
    test(`every check passes with the ${who} token`, { timeout: RUN_TIMEOUT_MS + 60_000 }, async (t) => {
      if (!command) {
        if (process.env.CI === 'true') assert.fail('schemathesis (st) must be installed in CI (see .ci/run)');
        loudSkipNotice();
        return t.skip('schemathesis (st) is not installed');
      }
      const run = await runSchemathesis(
        command,
        `${sandbox.apiUrl}/openapi.json`,
        SANDBOX_TOKENS[who].token,
        workDir,
      );
      const cases = /(\d+) generated/.exec(run.output)?.[1];
      const summary = `schemathesis (${who} token): ${cases ?? '?'} cases, exit ${run.status}, ${sandbox.cluster.allServices().length} Services in the sandbox`;
      process.stdout.write(`${summary}\n`);
      t.diagnostic(summary);
      assert.equal(run.status, 0, run.output.slice(-20_000));
      assert.ok(Number(cases) > 100, `too few cases ran:\n${run.output.slice(-5_000)}`);
    });
  }
});
