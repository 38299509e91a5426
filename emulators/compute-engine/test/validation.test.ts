// The constraints the API enforces on a rule before accepting it: each violation is a
// synchronous 400 whose envelope names the offending field path, and nothing is stored.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ruleBody, suiteEmulator, wire } from './wire.ts';

const tooManyPorts = Array.from({ length: 101 }, (_, index) => String(30000 + index));
const elevenAccounts = Array.from({ length: 11 }, (_, index) => `sa${index}@p.iam.gserviceaccount.com`);

const refused: { why: string; body: Record<string, unknown>; reason: string; field: string }[] = [
  { why: 'no name', body: ruleBody('x', { name: undefined }), reason: 'required', field: 'resource.name' },
  { why: 'upper case and underscore', body: ruleBody('Bad_Name'), reason: 'invalid', field: 'resource.name' },
  {
    why: 'a name of 64 characters',
    body: ruleBody(`a${'b'.repeat(63)}`),
    reason: 'invalid',
    field: 'resource.name',
  },
  { why: 'a name ending in a hyphen', body: ruleBody('ends-'), reason: 'invalid', field: 'resource.name' },
  {
    why: 'priority above 65535',
    body: ruleBody('p', { priority: 65536 }),
    reason: 'invalid',
    field: 'resource.priority',
  },
  {
    why: 'negative priority',
    body: ruleBody('p', { priority: -1 }),
    reason: 'invalid',
    field: 'resource.priority',
  },
  {
    why: 'priority of the wrong JSON type',
    body: ruleBody('p', { priority: 'high' }),
    reason: 'invalid',
    field: 'resource.priority',
  },
  {
    why: 'unknown direction',
    body: ruleBody('d', { direction: 'SIDEWAYS' }),
    reason: 'invalid',
    field: 'resource.direction',
  },
  {
    why: 'unknown protocol',
    body: ruleBody('proto', { allowed: [{ IPProtocol: 'carrier-pigeon' }] }),
    reason: 'invalid',
    field: 'resource.allowed[0].IPProtocol',
  },
  {
    why: 'ports on icmp',
    body: ruleBody('icmp', { allowed: [{ IPProtocol: 'icmp', ports: ['8'] }] }),
    reason: 'invalid',
    field: 'resource.allowed[0].ports[0]',
  },
  {
    why: 'a port above 65535',
    body: ruleBody('port', { allowed: [{ IPProtocol: 'tcp', ports: ['80', '70000'] }] }),
    reason: 'invalid',
    field: 'resource.allowed[0].ports[1]',
  },
  {
    why: 'a reversed port range',
    body: ruleBody('range', { allowed: [{ IPProtocol: 'udp', ports: ['2000-1000'] }] }),
    reason: 'invalid',
    field: 'resource.allowed[0].ports[0]',
  },
  {
    why: 'a port that is not a number',
    body: ruleBody('named-port', { allowed: [{ IPProtocol: 'tcp', ports: ['http'] }] }),
    reason: 'invalid',
    field: 'resource.allowed[0].ports[0]',
  },
  {
    why: 'more than 100 ports in one rule',
    body: ruleBody('ports', { allowed: [{ IPProtocol: 'tcp', ports: tooManyPorts }] }),
    reason: 'invalid',
    field: 'resource.allowed',
  },
  {
    why: 'neither allowed nor denied',
    body: ruleBody('none', { allowed: [] }),
    reason: 'required',
    field: 'resource.allowed',
  },
  {
    why: 'both allowed and denied',
    body: ruleBody('both', { denied: [{ IPProtocol: 'udp' }] }),
    reason: 'invalid',
    field: 'resource.denied',
  },
  {
    why: 'target tags with target service accounts',
    body: ruleBody('targets', { targetServiceAccounts: ['sa@p.iam.gserviceaccount.com'] }),
    reason: 'invalid',
    field: 'resource.targetServiceAccounts',
  },
  {
    why: 'eleven target service accounts',
    body: ruleBody('accounts', { targetTags: undefined, targetServiceAccounts: elevenAccounts }),
    reason: 'invalid',
    field: 'resource.targetServiceAccounts',
  },
  {
    why: 'a prefix longer than 32 bits',
    body: ruleBody('cidr', { sourceRanges: ['10.0.0.0/33'] }),
    reason: 'invalid',
    field: 'resource.sourceRanges[0]',
  },
  {
    why: 'a source range that is not an address',
    body: ruleBody('cidr', { sourceRanges: ['10.0.0.0/8', 'example.com/8'] }),
    reason: 'invalid',
    field: 'resource.sourceRanges[1]',
  },
  {
    why: 'IPv4 and IPv6 ranges mixed',
    body: ruleBody('mixed', { sourceRanges: ['203.0.113.0/24', '2001:db8::/32'] }),
    reason: 'invalid',
    field: 'resource.sourceRanges[1]',
  },
  {
    why: 'a malformed network',
    body: ruleBody('net', { network: 'default' }),
    reason: 'invalid',
    field: 'resource.network',
  },
  {
    why: 'a malformed tag',
    body: ruleBody('tag', { targetTags: ['GKE Node'] }),
    reason: 'invalid',
    field: 'resource.targetTags[0]',
  },
];

describe('compute emulator validation', () => {
  const suite = suiteEmulator();

  for (const { why, body, reason, field } of refused) {
    test(`refuses ${why} with a 400 ${reason} naming ${field}`, async () => {
      const response = await suite.api.insert(body);
      assert.equal(response.status, 400);
      const envelope = response.json as { error: { code: number; message: string; errors: unknown[] } };
      assert.equal(envelope.error.code, 400);
      assert.equal(envelope.error.errors.length, 1);
      assert.deepEqual(envelope.error.errors[0], {
        domain: 'global',
        reason,
        message: envelope.error.message,
      });
      assert.ok(
        envelope.error.message.includes(`'${field}'`),
        `"${envelope.error.message}" should name '${field}'`,
      );
    });
  }

  test('a refused insert stores nothing', () => {
    assert.deepEqual(suite.emulator.rules('p'), []);
  });

  test('a body that is not JSON is a 400 parseError', async () => {
    const response = await wire(
      suite.emulator.url,
      'POST',
      '/compute/v1/projects/p/global/firewalls',
      '{"name": ',
    );
    assert.equal(response.status, 400);
    assert.partialDeepStrictEqual(response.json, { error: { errors: [{ reason: 'parseError' }] } });
  });

  test('accepts what the API accepts: numbered and port-less protocols, IPv6, denied rules, EGRESS', async () => {
    const accepted = [
      ruleBody('numbered', { allowed: [{ IPProtocol: '6', ports: ['22'] }, { IPProtocol: '50' }] }),
      ruleBody('every-protocol', { allowed: [{ IPProtocol: 'all' }] }),
      ruleBody('sctp', { allowed: [{ IPProtocol: 'sctp', ports: ['0-65535'] }] }),
      ruleBody('ipv6', { sourceRanges: ['2001:db8::/32', '::1'] }),
      ruleBody('host-bits', { sourceRanges: ['10.0.0.1/8'] }),
      ruleBody('deny', { allowed: undefined, denied: [{ IPProtocol: 'tcp', ports: ['23'] }] }),
      ruleBody('egress', {
        direction: 'EGRESS',
        sourceRanges: undefined,
        destinationRanges: ['192.0.2.0/24'],
      }),
      ruleBody('accounts', { targetTags: undefined, targetServiceAccounts: elevenAccounts.slice(1) }),
      ruleBody(`a${'b'.repeat(62)}`),
      ruleBody('ports', { allowed: [{ IPProtocol: 'tcp', ports: tooManyPorts.slice(1) }] }),
    ];
    for (const body of accepted) {
      const response = await suite.api.insert(body);
      assert.equal(response.status, 200, `${String(body.name)}: ${response.text}`);
    }
    const egress = (await suite.api.get('egress')).json as Record<string, unknown>;
    assert.equal(egress.sourceRanges, undefined, 'no 0.0.0.0/0 source default on EGRESS');
    assert.deepEqual(egress.destinationRanges, ['192.0.2.0/24']);
  });
});
