import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Cidr, cidrContains, isEverything, parseCidr } from '../../src/domain/cidr.ts';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`test fixture ${text} does not parse: ${parsed.detail}`);
  return parsed.cidr;
}

describe('parseCidr accepts', () => {
  const cases: {
    name: string;
    input: string;
    text: string;
    family: 'IPv4' | 'IPv6';
    prefixLength: number;
  }[] = [
    {
      name: 'an IPv4 /24',
      input: '203.0.113.0/24',
      text: '203.0.113.0/24',
      family: 'IPv4',
      prefixLength: 24,
    },
    { name: 'one IPv4 address', input: '10.1.2.3/32', text: '10.1.2.3/32', family: 'IPv4', prefixLength: 32 },
    { name: 'the whole IPv4 space', input: '0.0.0.0/0', text: '0.0.0.0/0', family: 'IPv4', prefixLength: 0 },
    { name: 'an IPv4 /1', input: '128.0.0.0/1', text: '128.0.0.0/1', family: 'IPv4', prefixLength: 1 },
    { name: 'a zero in an octet', input: '10.0.0.0/8', text: '10.0.0.0/8', family: 'IPv4', prefixLength: 8 },
    { name: 'an IPv6 /32', input: '2001:db8::/32', text: '2001:db8::/32', family: 'IPv6', prefixLength: 32 },
    {
      name: 'upper-case IPv6, written in canonical lower case',
      input: '2001:DB8::/32',
      text: '2001:db8::/32',
      family: 'IPv6',
      prefixLength: 32,
    },
    {
      name: 'uncompressed IPv6 with leading zeros, compressed',
      input: '2001:0db8:0000:0000:0000:0000:0000:0000/48',
      text: '2001:db8::/48',
      family: 'IPv6',
      prefixLength: 48,
    },
    { name: 'the whole IPv6 space', input: '::/0', text: '::/0', family: 'IPv6', prefixLength: 0 },
    {
      name: 'one IPv6 address',
      input: '2001:db8::1/128',
      text: '2001:db8::1/128',
      family: 'IPv6',
      prefixLength: 128,
    },
    {
      name: 'IPv6 with an embedded dotted quad',
      input: '64:ff9b::192.0.2.0/120',
      text: '64:ff9b::c000:200/120',
      family: 'IPv6',
      prefixLength: 120,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parseCidr(c.input);
      assert.ok(parsed.ok, `expected ${c.input} to parse`);
      assert.equal(parsed.cidr.text, c.text);
      assert.equal(parsed.cidr.family, c.family);
      assert.equal(parsed.cidr.prefixLength, c.prefixLength);
      assert.equal(parsed.cidr.address.toString(), c.text.split('/')[0]);
    });
  }
});

describe('parseCidr refuses', () => {
  const cases: { name: string; input: string; detail: RegExp }[] = [
    {
      name: 'a missing prefix length',
      input: '203.0.113.7',
      detail: /needs a prefix length.*'203\.0\.113\.7\/32'/,
    },
    { name: 'an empty prefix length', input: '10.0.0.0/', detail: /invalid prefix length/ },
    { name: 'a non-numeric prefix length', input: '10.0.0.0/eight', detail: /invalid prefix length/ },
    { name: 'a negative prefix length', input: '10.0.0.0/-1', detail: /invalid prefix length/ },
    { name: 'a second slash', input: '10.0.0.0/8/8', detail: /invalid prefix length/ },
    { name: 'an IPv4 prefix above 32', input: '10.0.0.0/33', detail: /prefix length above 32/ },
    { name: 'an IPv6 prefix above 128', input: '2001:db8::/129', detail: /prefix length above 128/ },
    { name: 'an IPv4 prefix of four digits', input: '10.0.0.0/1000', detail: /invalid prefix length/ },
    { name: 'a prefix length with a leading zero', input: '10.0.0.0/08', detail: /invalid prefix length/ },
    { name: 'an IPv6 zone id', input: 'fe80::%eth0/64', detail: /zone id/ },
    {
      name: 'IPv4 host bits, with the network it probably meant',
      input: '10.0.0.1/8',
      detail: /host bits set; did you mean '10\.0\.0\.0\/8'\?/,
    },
    {
      name: 'IPv4 host bits below a byte boundary',
      input: '192.168.1.129/25',
      detail: /did you mean '192\.168\.1\.128\/25'/,
    },
    {
      name: 'IPv6 host bits, with the network it probably meant',
      input: '2001:db8::1/64',
      detail: /host bits set; did you mean '2001:db8::\/64'\?/,
    },
    { name: 'an octal IPv4 part', input: '010.0.0.0/8', detail: /not a valid IPv4 or IPv6 CIDR/ },
    { name: 'a hexadecimal IPv4 part', input: '0x0a.0.0.0/8', detail: /not a valid IPv4 or IPv6 CIDR/ },
    { name: 'a single-number IPv4 address', input: '167772160/8', detail: /not a valid IPv4 or IPv6 CIDR/ },
    { name: 'a three-part IPv4 address', input: '10.0.0/24', detail: /not a valid IPv4 or IPv6 CIDR/ },
    { name: 'an IPv4 part above 255', input: '256.0.0.0/8', detail: /not a valid IPv4 or IPv6 CIDR/ },
    { name: 'a host name', input: 'example.com/32', detail: /not a valid IPv4 or IPv6 CIDR/ },
    { name: 'an empty address', input: '/8', detail: /not a valid IPv4 or IPv6 CIDR/ },
    { name: 'garbage IPv6', input: '2001:db8:::1/64', detail: /not a valid IPv4 or IPv6 CIDR/ },
    {
      name: 'an IPv4-mapped IPv6 range',
      input: '::ffff:10.0.0.0/104',
      detail: /IPv4-mapped IPv6 range; write the IPv4 range instead/,
    },
    {
      name: 'the IPv4-mapped IPv6 block written in hex',
      input: '::ffff:0:0/96',
      detail: /IPv4-mapped/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parseCidr(c.input);
      assert.equal(parsed.ok, false, `expected ${c.input} to be refused`);
      if (parsed.ok) return;
      assert.match(parsed.detail, c.detail);
    });
  }
});

describe('cidrContains', () => {
  const cases: { name: string; outer: string; inner: string; contains: boolean }[] = [
    { name: 'itself', outer: '10.0.0.0/8', inner: '10.0.0.0/8', contains: true },
    { name: 'a narrower range inside', outer: '10.0.0.0/8', inner: '10.20.0.0/16', contains: true },
    { name: 'one address inside', outer: '10.0.0.0/8', inner: '10.255.255.255/32', contains: true },
    { name: 'a range next to it', outer: '10.0.0.0/8', inner: '11.0.0.0/8', contains: false },
    { name: 'a wider range around it', outer: '10.20.0.0/16', inner: '10.0.0.0/8', contains: false },
    { name: 'anything, from the whole space', outer: '0.0.0.0/0', inner: '203.0.113.0/24', contains: true },
    { name: 'the other half of the space', outer: '0.0.0.0/1', inner: '128.0.0.0/1', contains: false },
    { name: 'an IPv6 range inside', outer: '2001:db8::/32', inner: '2001:db8:1::/48', contains: true },
    { name: 'an IPv6 range outside', outer: '2001:db8::/32', inner: '2001:db9::/48', contains: false },
    { name: 'never across families (IPv4 in ::/0)', outer: '::/0', inner: '10.0.0.0/8', contains: false },
    {
      name: 'never across families (IPv6 in 0.0.0.0/0)',
      outer: '0.0.0.0/0',
      inner: '2001:db8::/32',
      contains: false,
    },
  ];
  for (const c of cases) {
    test(`${c.outer} ${c.contains ? 'contains' : 'does not contain'} ${c.name}`, () => {
      assert.equal(cidrContains(cidr(c.outer), cidr(c.inner)), c.contains);
    });
  }
});

describe('isEverything', () => {
  const cases: { text: string; everything: boolean }[] = [
    { text: '0.0.0.0/0', everything: true },
    { text: '::/0', everything: true },
    { text: '0.0.0.0/1', everything: false },
    { text: '::/1', everything: false },
    { text: '10.0.0.0/8', everything: false },
  ];
  for (const c of cases) {
    test(`${c.text} ${c.everything ? 'is' : 'is not'} the whole space`, () => {
      assert.equal(isEverything(cidr(c.text)), c.everything);
    });
  }
});
