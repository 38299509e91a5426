// Bad input gets a clear 4xx problem with field paths — and loses nothing: after every refused
// request, no Service exists in the cluster and no rule in GCE.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';
import { expectProblem } from '../support/exposure-api.ts';
import { ADMIN, call, footprint, SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

interface Case {
  name: string;
  body?: unknown;
  payload?: string;
  contentType?: string;
  auth?: string;
  status: number;
  type: string;
  pointer?: string;
  detail?: RegExp;
}

const es = createRequest;
const twoPorts = (second: Record<string, unknown>) => ({
  ports: [{ name: 'http', port: 9200 }, second],
});

const cases: Case[] = [
  {
    name: 'not a CIDR',
    body: es({ sourceRanges: ['not-a-cidr'] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/sourceRanges/0',
  },
  {
    name: 'host bits set, with a hint',
    body: es({ sourceRanges: ['10.0.0.1/8'] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/sourceRanges/0',
    detail: /did you mean '10\.0\.0\.0\/8'/,
  },
  {
    name: 'a CIDR without prefix length',
    body: es({ sourceRanges: ['203.0.113.7'] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/sourceRanges/0',
  },
  {
    name: '0.0.0.0/0 (public)',
    body: es({ sourceRanges: ['0.0.0.0/0'] }),
    status: 422,
    type: 'policy-violation',
    pointer: '/sourceRanges/0',
    detail: /whole internet/,
  },
  {
    name: '::/0 (public)',
    body: es({ sourceRanges: ['::/0'] }),
    status: 422,
    type: 'policy-violation',
    pointer: '/sourceRanges/0',
  },
  {
    name: '0.0.0.0/1 + 128.0.0.0/1 (too wide)',
    body: es({ sourceRanges: ['0.0.0.0/1', '128.0.0.0/1'] }),
    status: 422,
    type: 'policy-violation',
    pointer: '/sourceRanges/1',
    detail: /wider than this installation allows/,
  },
  {
    name: 'an IPv6 range wider than allowed',
    body: es({ sourceRanges: ['2001::/16'] }),
    status: 422,
    type: 'policy-violation',
    pointer: '/sourceRanges/0',
  },
  {
    name: 'a range outside the allowed supernets',
    body: es({ sourceRanges: ['192.0.2.0/24'] }),
    status: 422,
    type: 'policy-violation',
    pointer: '/sourceRanges/0',
    detail: /outside/,
  },
  {
    name: 'no source range',
    body: es({ sourceRanges: [] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/sourceRanges',
  },
  {
    name: 'source ranges missing',
    body: (() => {
      const b = es();
      delete b.sourceRanges;
      return b;
    })(),
    status: 400,
    type: 'validation-failed',
    pointer: '/sourceRanges',
    detail: /required/,
  },
  {
    name: 'the same range twice',
    body: es({ sourceRanges: ['203.0.113.0/24', '203.0.113.0/24'] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/sourceRanges/1',
  },
  {
    name: 'empty selector',
    body: es({ selector: {} }),
    status: 400,
    type: 'validation-failed',
    pointer: '/selector',
  },
  {
    name: 'invalid selector key',
    body: es({ selector: { 'bad key': 'x' } }),
    status: 400,
    type: 'validation-failed',
    pointer: '/selector/bad key',
  },
  {
    name: 'nodePort 80',
    body: es({ ports: [{ name: 'http', port: 9200, nodePort: 80 }] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/0/nodePort',
    detail: /30000-32767/,
  },
  {
    name: 'duplicate (port, protocol)',
    body: es(twoPorts({ name: 'again', port: 9200 })),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/1/port',
  },
  {
    name: 'duplicate port names',
    body: es(twoPorts({ name: 'http', port: 9300 })),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/1/name',
  },
  {
    name: 'unnamed port among several',
    body: es(twoPorts({ port: 9300 })),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/1/name',
  },
  {
    name: 'duplicate nodePort',
    body: es({
      ports: [
        { name: 'a', port: 1, nodePort: 30001 },
        { name: 'b', port: 2, nodePort: 30001 },
      ],
    }),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/1/nodePort',
  },
  { name: 'no ports', body: es({ ports: [] }), status: 400, type: 'validation-failed', pointer: '/ports' },
  {
    name: '101 ports',
    body: es({ ports: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, port: 1000 + i })) }),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports',
  },
  {
    name: 'protocol SCTP',
    body: es({ ports: [{ name: 'http', port: 9200, protocol: 'SCTP' }] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/0/protocol',
    detail: /one of "TCP", "UDP"/,
  },
  {
    name: 'port 0',
    body: es({ ports: [{ name: 'http', port: 0 }] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/0/port',
  },
  {
    name: 'over-long name',
    body: es({ name: `a${'b'.repeat(63)}` }),
    status: 400,
    type: 'validation-failed',
    pointer: '/name',
  },
  {
    name: 'name with capitals',
    body: es({ name: 'ElasticSearch' }),
    status: 400,
    type: 'validation-failed',
    pointer: '/name',
  },
  {
    name: 'name starting with a digit (DNS-1035)',
    body: es({ name: '9search' }),
    status: 400,
    type: 'validation-failed',
    pointer: '/name',
  },
  {
    name: 'invalid namespace',
    body: es({ namespace: 'Search_1' }),
    status: 400,
    type: 'validation-failed',
    pointer: '/namespace',
  },
  {
    name: 'managed label in labels',
    body: es({ labels: { 'app.kubernetes.io/managed-by': 'me' } }),
    status: 400,
    type: 'validation-failed',
    pointer: '/labels/app.kubernetes.io~1managed-by',
    detail: /managed by exposure-api/,
  },
  {
    name: 'label under the managed prefix',
    body: es({ labels: { 'exposure-api.io/id': 'x' } }),
    status: 400,
    type: 'validation-failed',
    pointer: '/labels/exposure-api.io~1id',
  },
  {
    name: 'label value too long',
    body: es({ labels: { team: 'x'.repeat(64) } }),
    status: 400,
    type: 'validation-failed',
    pointer: '/labels/team',
  },
  {
    name: 'unknown field',
    body: es({ colour: 'blue' }),
    status: 400,
    type: 'validation-failed',
    pointer: '/colour',
    detail: /not a known field/,
  },
  {
    name: 'unknown field in a port',
    body: es({ ports: [{ name: 'http', port: 9200, hostPort: 1 }] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/0/hostPort',
  },
  {
    name: 'wrong type (port as a string)',
    body: es({ ports: [{ name: 'http', port: '9200' }] }),
    status: 400,
    type: 'validation-failed',
    pointer: '/ports/0/port',
    detail: /integer/,
  },
  {
    name: 'wrong type (selector as a string)',
    body: es({ selector: 'app=elasticsearch' }),
    status: 400,
    type: 'validation-failed',
    pointer: '/selector',
  },
  {
    name: 'externalTrafficPolicy not a policy',
    body: es({ externalTrafficPolicy: 'Sometimes' }),
    status: 400,
    type: 'validation-failed',
    pointer: '/externalTrafficPolicy',
  },
  {
    name: 'health check on a port not exposed',
    body: es({ healthCheck: { type: 'tcp', port: 1234 } }),
    status: 400,
    type: 'validation-failed',
    pointer: '/healthCheck/port',
  },
  { name: 'body is an array', body: [es()], status: 400, type: 'validation-failed', pointer: '' },
  { name: 'malformed JSON', payload: '{"namespace": "search",', status: 400, type: 'malformed-request' },
  { name: 'empty body', payload: '', status: 400, type: 'malformed-request' },
  {
    name: 'oversized body',
    payload: JSON.stringify(es({ labels: { big: 'x'.repeat(63) }, pad: 'x'.repeat(70_000) })),
    status: 413,
    type: 'payload-too-large',
  },
  {
    name: 'a text/plain body',
    payload: JSON.stringify(es()),
    contentType: 'text/plain',
    status: 415,
    type: 'unsupported-media-type',
  },
  {
    name: 'not JSON content',
    payload: 'namespace=search',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    type: 'unsupported-media-type',
  },
  {
    name: 'a namespace the token may not use',
    body: es({ namespace: 'payments' }),
    status: 403,
    type: 'forbidden-namespace',
    pointer: '/namespace',
  },
  {
    name: 'a namespace that does not exist',
    body: es({ namespace: 'nowhere' }),
    auth: ADMIN,
    status: 422,
    type: 'namespace-not-found',
    pointer: '/namespace',
  },
  { name: 'no token', body: es(), auth: '', status: 401, type: 'unauthenticated' },
  { name: 'unknown token', body: es(), auth: 'Bearer not-a-token', status: 401, type: 'unauthenticated' },
  {
    name: 'bad input without a token is a 401, not a validation report',
    body: es({ sourceRanges: ['0.0.0.0/0'], colour: 'blue' }),
    auth: '',
    status: 401,
    type: 'unauthenticated',
  },
];

describe('POST /exposures refuses bad input and writes nothing', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({
      config: {
        sourceRanges: {
          allowed: ['10.0.0.0/8', '203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32'],
          minPrefixLength: { ipv4: 8, ipv6: 32 },
          allowPublic: false,
        },
      },
    });
  });
  after(() => sandbox.close());

  test(`the table has at least 20 kinds of invalid input (${cases.length})`, () => {
    assert.ok(cases.length >= 20);
  });

  for (const c of cases) {
    test(c.name, async () => {
      const before = footprint(sandbox);
      const headers: Record<string, string> = { 'content-type': c.contentType ?? 'application/json' };
      const auth = c.auth ?? SEARCH_TEAM;
      if (auth) headers.authorization = auth;
      const response = await call(sandbox, {
        method: 'POST',
        url: '/exposures',
        headers,
        payload: c.payload ?? JSON.stringify(c.body),
      });
      const problem = expectProblem(response, c.status);
      assert.equal(problem.type, `/problems/${c.type}`);
      assert.equal(problem.status, c.status);
      assert.ok(problem.title.length > 0);
      if (c.pointer !== undefined) {
        const match = problem.errors?.find((e) => e.pointer === c.pointer);
        assert.ok(match, `expected an error at ${c.pointer}, got ${JSON.stringify(problem.errors)}`);
        if (c.detail) assert.match(match.detail, c.detail);
      } else if (c.detail) {
        assert.match(JSON.stringify(problem), c.detail);
      }
      await sandbox.runtime.reconciler.idle();
      assert.deepEqual(footprint(sandbox), before, 'nothing was created in the cluster or in GCE');
    });
  }
});
