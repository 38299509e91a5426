// A repeated read of an unchanged exposure is answered in front of Fastify (src/edge/kept-reads.ts)
// with what Fastify's path answers: the same status, headers, body and access-log line, counted in
// the same metric and read budget. Every other read goes through Fastify as before.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { Writable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { ADMIN, probeSettings, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

/** A log destination keeping each line's text as written. */
function rawLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

/** Counts the reads that reach the route's handler, i.e. Fastify's path. */
function countRouteReads(sandbox: Sandbox): { count: number } {
  const counter = { count: 0 };
  const { exposures } = sandbox.runtime;
  const getEncoded = exposures.getEncoded.bind(exposures);
  exposures.getEncoded = (...args) => {
    counter.count++;
    return getEncoded(...args);
  };
  return counter;
}

async function createReady(
  sandbox: Sandbox,
  name: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const created = await sandbox.runtime.app.inject({
    method: 'POST',
    url: '/exposures',
    headers: { authorization: SEARCH_TEAM, 'content-type': 'application/json', prefer: 'wait=10' },
    payload: JSON.stringify(createRequest({ name, ...overrides })),
  });
  const exposure = created.json() as { id: string; status: { phase: string } };
  assert.equal(exposure.status.phase, 'Ready', created.body);
  return exposure.id;
}

/** Reads over HTTP until the route stops being reached: the answer is kept from then on. */
async function readUntilKept(sandbox: Sandbox, url: string, routeReads: { count: number }): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = routeReads.count;
    const response = await fetch(url, { headers: { authorization: SEARCH_TEAM } });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    if (routeReads.count === before) return;
  }
  assert.fail(`${url} never became a kept read (${sandbox.apiUrl})`);
}

/** One request over HTTP (fetch sends no body with a GET). */
async function send(url: string, method: string, headers: Record<string, string>, body?: string) {
  const request = http.request(url, { method, headers });
  request.end(body);
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  return { status: response.statusCode, headers: response.headers, body: await text(response) };
}

/** What a response says, without what Node adds per connection (date, keep-alive). */
async function answerOf(response: Response) {
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)),
  );
  return { status: response.status, headers, body: await response.text() };
}

/** An access line without what differs between two requests (time, duration, client port). */
const comparable = (line: string | undefined) =>
  line
    ?.replace(/"time":\d+/, '"time":0')
    .replace(/"responseTime":[\d.e-]+/, '"responseTime":0')
    .replace(/"remotePort":\d+/, '"remotePort":0');

describe('kept reads', () => {
  const { lines, destination } = rawLog();
  let sandbox: Sandbox;
  let routeReads: { count: number };
  let url: string;

  before(async () => {
    sandbox = await startTestSandbox({
      logLevel: 'info',
      logDestination: destination,
      config: { probe: probeSettings(60_000) },
    });
    routeReads = countRouteReads(sandbox);
    url = `${sandbox.apiUrl}/exposures/${await createReady(sandbox, 'kept')}`;
    await readUntilKept(sandbox, url, routeReads);
  });
  after(() => sandbox.close());

  test('are answered before the routes, with the status, headers, body and access line of Fastify’s path', async () => {
    const before = routeReads.count;
    const first = lines.length;
    const kept = await answerOf(
      await fetch(url, { headers: { authorization: SEARCH_TEAM, 'x-request-id': 'same-read' } }),
    );
    assert.equal(routeReads.count, before, 'the route was not reached');
    const keptLine = lines.slice(first).find((line) => line.includes('"reqId":"same-read"'));
    // x-forwarded-proto is ignored by this installation (no trusted proxy) but takes the read to Fastify.
    const next = lines.length;
    const routed = await answerOf(
      await fetch(url, {
        headers: { authorization: SEARCH_TEAM, 'x-request-id': 'same-read', 'x-forwarded-proto': 'http' },
      }),
    );
    assert.equal(routeReads.count, before + 1, 'Fastify answered the second read');
    const routedLine = lines.slice(next).find((line) => line.includes('"reqId":"same-read"'));

    assert.deepEqual(kept, routed);
    assert.deepEqual(Object.keys(kept.headers), ['content-length', 'content-type', 'etag', 'x-request-id']);
    assert.equal(kept.headers['x-request-id'], 'same-read');
    assert.ok(keptLine && routedLine, 'both wrote an access line');
    assert.equal(comparable(keptLine), comparable(routedLine));
    assert.match(
      keptLine ?? '',
      /"req":\{"method":"GET","url":"\/exposures\/exp_\w+","host":"127\.0\.0\.1:\d+"/,
    );
  });

  test('are counted in the request metric under the route, as Fastify counts them', async () => {
    const routeMetric = async () => {
      const text = await (await fetch(`${sandbox.apiUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith(
            'exposure_api_http_request_duration_seconds_count{method="GET",route="/exposures/:id",status_code="200"}',
          ),
        );
      return Number(line?.split(' ')[1]);
    };
    const before = await routeMetric();
    const routeBefore = routeReads.count;
    for (let i = 0; i < 3; i++) await (await fetch(url, { headers: { authorization: SEARCH_TEAM } })).text();
    assert.equal(routeReads.count, routeBefore, 'all three were kept reads');
    assert.equal(await routeMetric(), before + 3);
  });

  test('carry each body’s own length when kept reads of two exposures alternate', async () => {
    const other = `${sandbox.apiUrl}/exposures/${await createReady(sandbox, 'kept-with-a-longer-name', {
      ports: [{ name: 'http', port: 9200, nodePort: 30921 }],
    })}`;
    await readUntilKept(sandbox, other, routeReads);
    const routeBefore = routeReads.count;
    const lengths = new Set<number>();
    for (const target of [url, other, url, other]) {
      const { status, headers, body } = await send(target, 'GET', { authorization: SEARCH_TEAM });
      assert.equal(status, 200);
      assert.equal(headers['content-length'], String(Buffer.byteLength(body)), target);
      lengths.add(Buffer.byteLength(body));
    }
    assert.equal(routeReads.count, routeBefore, 'all four were kept reads');
    assert.equal(lengths.size, 2, 'the two answers differ in length');
  });

  test('every other read goes to Fastify and is answered as through inject', async () => {
    const path = new URL(url).pathname;
    const cases: Array<{
      what: string;
      method?: string;
      path?: string;
      headers: Record<string, string>;
      body?: string;
    }> = [
      { what: 'HEAD', method: 'HEAD', headers: { authorization: SEARCH_TEAM } },
      { what: 'a query', path: `${path}?endpointLimit=1`, headers: { authorization: SEARCH_TEAM } },
      { what: 'a trailing slash', path: `${path}/`, headers: { authorization: SEARCH_TEAM } },
      {
        what: 'an unknown id',
        path: '/exposures/exp_00000000000000000000000000',
        headers: { authorization: SEARCH_TEAM },
      },
      { what: 'no token', headers: {} },
      { what: 'an unknown token', headers: { authorization: 'Bearer not-a-token' } },
      { what: 'another scheme', headers: { authorization: `Basic ${btoa('a:b')}` } },
      { what: 'impersonation', headers: { authorization: ADMIN, 'impersonate-user': 'someone' } },
      {
        what: 'a body',
        headers: { authorization: SEARCH_TEAM, 'content-type': 'application/json', 'content-length': '2' },
        body: '{}',
      },
    ];
    for (const { what, method = 'GET', path: target = path, headers, body } of cases) {
      const over = await send(
        `${sandbox.apiUrl}${target}`,
        method,
        { 'x-request-id': 'routed', ...headers },
        body,
      );
      const injected = await sandbox.runtime.app.inject({
        method: method as 'GET' | 'HEAD',
        url: target,
        headers: { 'x-request-id': 'routed', ...headers },
        ...(body !== undefined && { payload: body }),
      });
      assert.equal(over.status, injected.statusCode, `${what}: ${over.body} / ${injected.body}`);
      assert.equal(over.body, injected.body, what);
      assert.equal(over.headers['content-type'], injected.headers['content-type'], what);
    }
  });
});

describe('kept reads and the limits', () => {
  let sandbox: Sandbox;
  let routeReads: { count: number };
  let url: string;

  before(async () => {
    sandbox = await startTestSandbox({
      config: {
        probe: probeSettings(60_000),
        rateLimit: {
          reads: { max: 8, windowSeconds: 600 },
          failedAuthentication: { max: 1, windowSeconds: 600 },
        },
      },
    });
    routeReads = countRouteReads(sandbox);
    url = `${sandbox.apiUrl}/exposures/${await createReady(sandbox, 'limited')}`;
  });
  after(() => sandbox.close());

  test('count against the caller’s read budget: past it, the read is refused as any read is', async () => {
    await readUntilKept(sandbox, url, routeReads);
    const statuses: number[] = [];
    let response: Response | undefined;
    for (let i = 0; i < 10; i++) {
      response = await fetch(url, { headers: { authorization: SEARCH_TEAM } });
      statuses.push(response.status);
      await response.text();
    }
    const refused = statuses.indexOf(429);
    assert.ok(refused > 0, `a read was refused: ${statuses}`);
    assert.ok(
      statuses.slice(refused).every((status) => status === 429),
      `every read after the limit is refused: ${statuses}`,
    );
    // The reads made so far (creation's wait aside) are the budget of 8: kept reads counted too.
    const answered = statuses.filter((status) => status === 200).length;
    assert.ok(answered < 8, `fewer than the budget answered in the loop: ${statuses}`);
    assert.equal(response?.headers.get('x-ratelimit-limit'), '8');
  });

  test('an address locked out by failed authentications gets no kept read', async () => {
    for (let i = 0; i < 2; i++)
      await (await fetch(url, { headers: { authorization: 'Bearer wrong' } })).text();
    const response = await fetch(url, { headers: { authorization: ADMIN } });
    assert.equal(response.status, 429);
    assert.match(await response.text(), /unknown token from your address/);
  });
});
