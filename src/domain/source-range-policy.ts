// The safety rules for source ranges: a firewall rule must never open more than the installation
// allows. GCE itself would default an INGRESS rule without sources to 0.0.0.0/0, and happily
// accept 0.0.0.0/1 + 128.0.0.0/1, so these checks are the only thing standing in the way.
import { type Cidr, cidrContains, isEverything, parseCidr } from './cidr.ts';
import type { IpFamily } from './naming.ts';
import { invalid, policy, type Violation } from './violation.ts';

export interface SourceRangePolicy {
  /** Every requested range must lie inside one of these. */
  allowedSupernets: readonly string[];
  /** Ranges wider than this (a smaller prefix length) are refused. */
  minPrefixLength: { ipv4: number; ipv6: number };
  /** Whether `0.0.0.0/0` and `::/0` (the whole internet) may be requested at all. */
  allowPublic: boolean;
}

export interface SourceRangeDecision {
  violations: Violation[];
  /** Canonical ranges grouped by family, in request order. */
  byFamily: Record<IpFamily, string[]>;
}

export function checkSourceRanges(
  ranges: readonly string[],
  rules: SourceRangePolicy,
  basePointer = '/sourceRanges',
): SourceRangeDecision {
  const violations: Violation[] = [];
  const byFamily: Record<IpFamily, string[]> = { IPv4: [], IPv6: [] };
  if (ranges.length === 0) {
    violations.push(
      invalid(
        basePointer,
        'at least one source range is required (a rule without one would be open to 0.0.0.0/0)',
      ),
    );
    return { violations, byFamily };
  }
  const supernets = rules.allowedSupernets
    .map(parseCidr)
    .flatMap((parsed) => (parsed.ok ? [parsed.cidr] : []));
  const seen = new Map<string, number>();
  ranges.forEach((text, index) => {
    const pointer = `${basePointer}/${index}`;
    if (text.trim() !== text) {
      violations.push(invalid(pointer, `'${text}' has surrounding whitespace`));
      return;
    }
    const parsed = parseCidr(text);
    if (!parsed.ok) {
      violations.push(invalid(pointer, parsed.detail));
      return;
    }
    const cidr = parsed.cidr;
    const earlier = seen.get(cidr.text);
    if (earlier !== undefined) {
      violations.push(invalid(pointer, `'${text}' repeats ${basePointer}/${earlier}`));
      return;
    }
    seen.set(cidr.text, index);
    const problem = policyProblem(cidr, rules, supernets);
    if (problem) {
      violations.push(policy(pointer, problem));
      return;
    }
    byFamily[cidr.family].push(cidr.text);
  });
  return { violations, byFamily };
}

function policyProblem(cidr: Cidr, rules: SourceRangePolicy, supernets: Cidr[]): string | undefined {
  if (isEverything(cidr) && !rules.allowPublic) {
    return `'${cidr.text}' would expose the port to the whole internet, which this installation does not allow; list the networks of your clients instead`;
  }
  const minimum = cidr.family === 'IPv4' ? rules.minPrefixLength.ipv4 : rules.minPrefixLength.ipv6;
  // With public exposure allowed, the whole internet may be asked for by name (/0) — it must still
  // lie in the allowed supernets — but wide ranges short of it still may not (0.0.0.0/1 +
  // 128.0.0.0/1 is no way around the policy).
  if (!isEverything(cidr) && cidr.prefixLength < minimum) {
    return `'${cidr.text}' is wider than this installation allows for ${cidr.family} (prefix length at least /${minimum})`;
  }
  if (!supernets.some((supernet) => cidrContains(supernet, cidr))) {
    const allowed = supernets.filter((s) => s.family === cidr.family).map((s) => s.text);
    return allowed.length === 0
      ? `${cidr.family} source ranges are not allowed by this installation`
      : `'${cidr.text}' is outside the ranges this installation allows (${allowed.join(', ')})`;
  }
  return undefined;
}
