import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSourceRanges, type SourceRangePolicy } from '../../src/domain/source-range-policy.ts';
import { assertViolations, type ExpectedViolation } from '../support/expected-violations.ts';

const everywhere: SourceRangePolicy = {
  allowedSupernets: ['0.0.0.0/0', '::/0'],
  minPrefixLength: { ipv4: 8, ipv6: 32 },
  allowPublic: false,
};

const corporate: SourceRangePolicy = {
  allowedSupernets: ['10.0.0.0/8', '203.0.113.0/24', '2001:db8::/32'],
  minPrefixLength: { ipv4: 8, ipv6: 32 },
  allowPublic: false,
};

interface Case {
  name: string;
  ranges: string[];
  rules: SourceRangePolicy;
  basePointer?: string;
  violations: ExpectedViolation[];
  IPv4: string[];
  IPv6: string[];
}

const cases: Case[] = [
  {
    name: 'one allowed IPv4 range',
    ranges: ['203.0.113.0/24'],
    rules: corporate,
    violations: [],
    IPv4: ['203.0.113.0/24'],
    IPv6: [],
  },
  {
    name: 'no range at all (GCE would default to 0.0.0.0/0)',
    ranges: [],
    rules: everywhere,
    violations: [
      { kind: 'invalid', pointer: '/sourceRanges', detail: /at least one source range is required/ },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'host bits are malformed input, with a hint',
    ranges: ['10.0.0.1/8'],
    rules: everywhere,
    violations: [{ kind: 'invalid', pointer: '/sourceRanges/0', detail: /did you mean '10\.0\.0\.0\/8'/ }],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'the IPv4 internet is a policy refusal',
    ranges: ['0.0.0.0/0'],
    rules: everywhere,
    violations: [{ kind: 'policy', pointer: '/sourceRanges/0', detail: /whole internet/ }],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'the IPv6 internet is a policy refusal',
    ranges: ['::/0'],
    rules: everywhere,
    violations: [{ kind: 'policy', pointer: '/sourceRanges/0', detail: /whole internet/ }],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'the whole internet where public exposure is allowed',
    ranges: ['0.0.0.0/0', '::/0'],
    rules: { ...everywhere, allowPublic: true },
    violations: [],
    IPv4: ['0.0.0.0/0'],
    IPv6: ['::/0'],
  },
  {
    name: 'public exposure allowed, but no IPv6 supernet: ::/0 is still outside',
    ranges: ['::/0'],
    rules: { ...everywhere, allowedSupernets: ['0.0.0.0/0'], allowPublic: true },
    violations: [
      { kind: 'policy', pointer: '/sourceRanges/0', detail: /IPv6 source ranges are not allowed/ },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'two halves cannot sneak the internet in',
    ranges: ['0.0.0.0/1', '128.0.0.0/1'],
    rules: everywhere,
    violations: [
      { kind: 'policy', pointer: '/sourceRanges/0', detail: /'0\.0\.0\.0\/1' is wider .* at least \/8/ },
      { kind: 'policy', pointer: '/sourceRanges/1', detail: /'128\.0\.0\.0\/1' is wider .* at least \/8/ },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'two halves are refused even where public exposure is allowed',
    ranges: ['0.0.0.0/1', '128.0.0.0/1'],
    rules: { ...everywhere, allowPublic: true },
    violations: [
      { kind: 'policy', pointer: '/sourceRanges/0', detail: /wider than this installation allows for IPv4/ },
      { kind: 'policy', pointer: '/sourceRanges/1', detail: /wider than this installation allows for IPv4/ },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'an IPv6 range wider than the IPv6 minimum',
    ranges: ['2001:db8::/31'],
    rules: everywhere,
    violations: [
      { kind: 'policy', pointer: '/sourceRanges/0', detail: /for IPv6 \(prefix length at least \/32\)/ },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'exactly the minimum prefix length',
    ranges: ['10.0.0.0/8', '2001:db8::/32'],
    rules: everywhere,
    violations: [],
    IPv4: ['10.0.0.0/8'],
    IPv6: ['2001:db8::/32'],
  },
  {
    name: 'a range outside the allowed supernets names them',
    ranges: ['198.51.100.0/24'],
    rules: corporate,
    violations: [
      {
        kind: 'policy',
        pointer: '/sourceRanges/0',
        detail: /'198\.51\.100\.0\/24' is outside .*\(10\.0\.0\.0\/8, 203\.0\.113\.0\/24\)/,
      },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'a range that overlaps an allowed supernet but is wider',
    ranges: ['203.0.112.0/23'],
    rules: corporate,
    violations: [{ kind: 'policy', pointer: '/sourceRanges/0', detail: /is outside the ranges/ }],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'a family without any allowed supernet',
    ranges: ['2001:db8::/48'],
    rules: { ...corporate, allowedSupernets: ['10.0.0.0/8'] },
    violations: [
      { kind: 'policy', pointer: '/sourceRanges/0', detail: /IPv6 source ranges are not allowed/ },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'a duplicate points at the first occurrence',
    ranges: ['10.1.0.0/16', '10.2.0.0/16', '10.1.0.0/16'],
    rules: corporate,
    violations: [{ kind: 'invalid', pointer: '/sourceRanges/2', detail: /repeats \/sourceRanges\/0/ }],
    IPv4: ['10.1.0.0/16', '10.2.0.0/16'],
    IPv6: [],
  },
  {
    name: 'IPv6 duplicates are found in canonical form',
    ranges: ['2001:db8::/48', '2001:DB8:0::/48'],
    rules: corporate,
    violations: [{ kind: 'invalid', pointer: '/sourceRanges/1', detail: /repeats \/sourceRanges\/0/ }],
    IPv4: [],
    IPv6: ['2001:db8::/48'],
  },
  {
    name: 'surrounding whitespace',
    ranges: [' 10.0.0.0/8', '10.1.0.0/16\n'],
    rules: corporate,
    violations: [
      { kind: 'invalid', pointer: '/sourceRanges/0', detail: /surrounding whitespace/ },
      { kind: 'invalid', pointer: '/sourceRanges/1', detail: /surrounding whitespace/ },
    ],
    IPv4: [],
    IPv6: [],
  },
  {
    name: 'not a CIDR at all',
    ranges: ['10.0.0.0/8', 'office'],
    rules: corporate,
    violations: [{ kind: 'invalid', pointer: '/sourceRanges/1', detail: /needs a prefix length/ }],
    IPv4: ['10.0.0.0/8'],
    IPv6: [],
  },
  {
    name: 'families are grouped, each in request order, and canonical',
    ranges: ['203.0.113.0/24', '2001:DB8:1::/48', '10.0.0.0/8', '2001:db8::/32'],
    rules: corporate,
    violations: [],
    IPv4: ['203.0.113.0/24', '10.0.0.0/8'],
    IPv6: ['2001:db8:1::/48', '2001:db8::/32'],
  },
  {
    name: 'every problem is reported, each at its own index',
    ranges: ['10.0.0.0/8', '0.0.0.0/0', '10.0.0.5/8', '192.0.2.0/24', '2001:db8::/48'],
    rules: corporate,
    violations: [
      { kind: 'policy', pointer: '/sourceRanges/1', detail: /whole internet/ },
      { kind: 'invalid', pointer: '/sourceRanges/2', detail: /host bits/ },
      { kind: 'policy', pointer: '/sourceRanges/3', detail: /outside/ },
    ],
    IPv4: ['10.0.0.0/8'],
    IPv6: ['2001:db8::/48'],
  },
  {
    name: 'pointers follow a given base pointer',
    ranges: ['10.0.0.0/8', '8.8.8.0/24', '10.0.0.0/8'],
    rules: corporate,
    basePointer: '/patch/sourceRanges',
    violations: [
      { kind: 'policy', pointer: '/patch/sourceRanges/1', detail: /outside/ },
      { kind: 'invalid', pointer: '/patch/sourceRanges/2', detail: /repeats \/patch\/sourceRanges\/0/ },
    ],
    IPv4: ['10.0.0.0/8'],
    IPv6: [],
  },
  {
    name: 'unparseable configured supernets are ignored, not trusted',
    ranges: ['10.0.0.0/8'],
    rules: { ...corporate, allowedSupernets: ['10.0.0.1/8', 'garbage'] },
    violations: [
      { kind: 'policy', pointer: '/sourceRanges/0', detail: /IPv4 source ranges are not allowed/ },
    ],
    IPv4: [],
    IPv6: [],
  },
];

describe('checkSourceRanges', () => {
  for (const c of cases) {
    test(c.name, () => {
      const decision =
        c.basePointer === undefined
          ? checkSourceRanges(c.ranges, c.rules)
          : checkSourceRanges(c.ranges, c.rules, c.basePointer);
      assertViolations(decision.violations, c.violations);
      assert.deepEqual(decision.byFamily, { IPv4: c.IPv4, IPv6: c.IPv6 });
    });
  }
});
