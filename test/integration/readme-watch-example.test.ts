// The README's watch example is run as written against a sandbox (only its port swapped for the
// test's): curl prints the stream the README shows, starting with the exposure.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { eventually } from '../support/eventually.ts';
import { createAsAdmin, startTestSandbox } from '../support/test-sandbox.ts';

const readme = readFileSync('README.md', 'utf8');

function example(name: string): string {
  const start = readme.indexOf(`<!-- example: ${name} -->`);
  assert.ok(start >= 0, `README has no example '${name}'`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(block?.[1], `example '${name}' has no sh block`);
  return block[1];
}

let sandbox: Sandbox;
before(async () => {
  sandbox = await startTestSandbox();
});
after(() => sandbox.close());

test('the curl example of the watch prints the exposure as an event, then keeps the stream open', async () => {
  const created = await createAsAdmin<{ id: string }>(sandbox);
  assert.equal(created.status, 201);
  const script = example('watch').replaceAll('127.0.0.1:8080', new URL(sandbox.apiUrl).host);
  const curl = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    env: { ...process.env, ID: created.body.id },
  });
  let output = '';
  curl.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  try {
    await eventually(
      () => output,
      (text) => /\ndata: .*\n\n/.test(text),
      { what: 'the first event from curl' },
    );
    assert.equal(curl.exitCode, null, 'the stream stays open');
  } finally {
    curl.kill();
  }
  const [comment, blank, id, event, data] = output.split('\n');
  assert.equal(blank, '');
  assert.equal(comment, `: watching ${created.body.id}`);
  assert.match(id ?? '', /^id: [A-Za-z0-9_-]{22}$/);
  assert.equal(event, 'event: exposure');
  const exposure = JSON.parse((data ?? '').replace(/^data: /, '')) as {
    id: string;
    status: { phase: string };
  };
  assert.equal(exposure.id, created.body.id);
  assert.equal(exposure.status.phase, 'Ready');
});
