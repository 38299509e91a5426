// The batch endpoint, with a request shaped exactly like the one gcloud's `firewall-rules delete`
// sends (recorded with --log-http): multipart/mixed parts of application/http with Content-IDs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '../src/index.ts';
import { computeWire, ruleBody, wire } from './wire.ts';

const boundary = '===============6825048937299309501==';
const batchId = '88332d5d-a665-4031-940f-67a0e0cc1c8b';

function part(index: number, requestLine: string): string {
  return [
    `--${boundary}`,
    'Content-Type: application/http',
    'MIME-Version: 1.0',
    'Content-Transfer-Encoding: binary',
    `Content-ID: <${batchId}+${index}>`,
    '',
    requestLine,
    'Content-Type: application/json',
    'MIME-Version: 1.0',
    'content-length: 0',
    'accept: application/json',
    'accept-encoding: gzip, deflate',
    'Host: 127.0.0.1:8085',
    '',
    '',
  ].join('\n');
}

interface ResponsePart {
  contentId: string | undefined;
  statusLine: string;
  json: unknown;
}

/** Reads a multipart/mixed answer the way apitools does: split on the boundary, then headers. */
function parseMultipart(body: string, contentType: string): ResponsePart[] {
  const responseBoundary = /boundary=([^;\s]+)/.exec(contentType)?.[1];
  assert.ok(responseBoundary, `no boundary in ${contentType}`);
  return body
    .split(`--${responseBoundary}`)
    .slice(1)
    .filter((chunk) => !chunk.startsWith('--'))
    .map((chunk) => {
      const [mimeHeaders, embedded] = splitAtBlankLine(chunk.trim());
      const [embeddedHead, embeddedBody] = splitAtBlankLine(embedded);
      const contentId = /Content-ID: <([^>]+)>/i.exec(mimeHeaders)?.[1];
      return { contentId, statusLine: embeddedHead.split('\r\n')[0] ?? '', json: JSON.parse(embeddedBody) };
    });
}

function splitAtBlankLine(text: string): [string, string] {
  const index = text.indexOf('\r\n\r\n');
  assert.ok(index >= 0, `no blank line in ${text}`);
  return [text.slice(0, index), text.slice(index + 4)];
}

describe('compute emulator batch endpoint', () => {
  let emulator: ComputeEmulator;

  before(async () => {
    emulator = await startComputeEmulator();
    const api = computeWire(emulator.url, 'p');
    await api.insert(ruleBody('batch-a'));
    await api.insert(ruleBody('batch-b'));
  });
  after(() => emulator.close());

  test('answers each embedded request in a multipart/mixed part with its Content-ID', async () => {
    emulator.clearRequests();
    const body = [
      part(0, 'DELETE /compute/v1/projects/p/global/firewalls/batch-a?alt=json HTTP/1.1'),
      part(1, 'DELETE /compute/v1/projects/p/global/firewalls/batch-b?alt=json HTTP/1.1'),
      part(2, 'DELETE /compute/v1/projects/p/global/firewalls/never-was?alt=json HTTP/1.1'),
      `--${boundary}--`,
      '',
    ].join('');
    const response = await wire(emulator.url, 'POST', '/batch/compute/v1', body, {
      'Content-Type': `multipart/mixed; boundary="${boundary}"`,
    });
    assert.equal(response.status, 200);
    assert.match(response.contentType, /^multipart\/mixed; boundary=\S+$/);

    const parts = parseMultipart(response.text, response.contentType);
    assert.deepEqual(
      parts.map((entry) => [entry.contentId, entry.statusLine]),
      [
        [`response-${batchId}+0`, 'HTTP/1.1 200 OK'],
        [`response-${batchId}+1`, 'HTTP/1.1 200 OK'],
        [`response-${batchId}+2`, 'HTTP/1.1 404 Not Found'],
      ],
    );
    assert.partialDeepStrictEqual(parts[0]?.json, {
      kind: 'compute#operation',
      operationType: 'delete',
      status: 'RUNNING',
      targetLink: 'https://www.googleapis.com/compute/v1/projects/p/global/firewalls/batch-a',
    });
    assert.partialDeepStrictEqual(parts[2]?.json, {
      error: { code: 404, errors: [{ reason: 'notFound' }] },
    });
    assert.deepEqual(emulator.rules('p'), []);

    assert.equal(emulator.requestCount(), 1, 'one HTTP request on the wire');
    // Embedded requests run concurrently, as on the real endpoint: compare in path order.
    assert.deepEqual(
      emulator
        .requests()
        .map((entry) => [entry.method, entry.path, entry.status, entry.batched])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      [
        ['DELETE', '/compute/v1/projects/p/global/firewalls/batch-a', 200, true],
        ['DELETE', '/compute/v1/projects/p/global/firewalls/batch-b', 200, true],
        ['DELETE', '/compute/v1/projects/p/global/firewalls/never-was', 404, true],
      ],
    );
  });

  test('a batch without a boundary is a 400', async () => {
    const response = await wire(emulator.url, 'POST', '/batch/compute/v1', 'x', {
      'Content-Type': 'text/plain',
    });
    assert.equal(response.status, 400);
  });
});
