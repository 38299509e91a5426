// What an exposure holds of the capacity that tenants share, and the installation's own limits on
// it: the exposure itself, its node ports (one --service-node-port-range serves every namespace of
// the cluster) and its firewall rules (one GCE project's firewall-rule quota serves everything in
// the project). The limits stand in for a namespace's ResourceQuota where a cluster has none.
import { parseCidr } from './cidr.ts';
import type { ExposureSpec } from './exposure-spec.ts';

export interface Usage {
  exposures: number;
  nodePorts: number;
  firewallRules: number;
}

export type UsageResource = keyof Usage;

export const USAGE_RESOURCES: readonly UsageResource[] = ['exposures', 'nodePorts', 'firewallRules'];

export const NO_USAGE: Usage = Object.freeze({ exposures: 0, nodePorts: 0, firewallRules: 0 });

/** What one exposure of this spec holds: every port gets a node port, every IP family a rule. */
export function usageOfSpec(spec: Pick<ExposureSpec, 'ports' | 'sourceRanges'>): Usage {
  const families = new Set<string>();
  for (const range of spec.sourceRanges) {
    const parsed = parseCidr(range);
    if (parsed.ok) families.add(parsed.cidr.family);
  }
  return { exposures: 1, nodePorts: spec.ports.length, firewallRules: families.size };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    exposures: a.exposures + b.exposures,
    nodePorts: a.nodePorts + b.nodePorts,
    firewallRules: a.firewallRules + b.firewallRules,
  };
}

/** `a - b`, each figure floored at 0 (a count never goes negative, whatever was released twice). */
export function subtractUsage(a: Usage, b: Usage): Usage {
  return {
    exposures: Math.max(0, a.exposures - b.exposures),
    nodePorts: Math.max(0, a.nodePorts - b.nodePorts),
    firewallRules: Math.max(0, a.firewallRules - b.firewallRules),
  };
}

export function isNoUsage(usage: Usage): boolean {
  return USAGE_RESOURCES.every((resource) => usage[resource] === 0);
}

/** Who a limit applies to. */
export type LimitScope = 'namespace' | 'subject' | 'installation';

/** A limit of 0 means unlimited. */
export interface UsageLimits {
  perNamespace: Pick<Usage, 'exposures' | 'nodePorts'>;
  perSubject: Pick<Usage, 'exposures' | 'nodePorts'>;
  installation: Pick<Usage, 'firewallRules'>;
}

export function hasAnyLimit(limits: UsageLimits): boolean {
  return [limits.perNamespace, limits.perSubject, limits.installation].some((set) =>
    Object.values(set).some((limit) => limit > 0),
  );
}

/** The first limit a change would break: where, which resource, and the figures. */
export interface LimitExceeded {
  scope: LimitScope;
  /** The namespace or subject the limit applies to; the installation's cluster id for `installation`. */
  holder: string;
  resource: UsageResource;
  requested: number;
  used: number;
  limit: number;
}

export interface UsageHolders {
  namespace: string;
  subject: string;
  installation: string;
}

/** The usage counted so far per namespace, per subject and for the whole installation. */
export interface UsageTotals {
  namespaces: Readonly<Record<string, Usage>>;
  subjects: Readonly<Record<string, Usage>>;
  installation: Usage;
}

/**
 * Whether adding `delta` keeps every limit. Only growth is checked, as Kubernetes' quota admission
 * does: a change that holds less of a resource is never refused for it, even above a lowered limit.
 */
export function exceededLimit(
  totals: UsageTotals,
  holders: UsageHolders,
  delta: Usage,
  limits: UsageLimits,
): LimitExceeded | undefined {
  const checks: [LimitScope, string, Usage, Partial<Usage>][] = [
    ['namespace', holders.namespace, totals.namespaces[holders.namespace] ?? NO_USAGE, limits.perNamespace],
    ['subject', holders.subject, totals.subjects[holders.subject] ?? NO_USAGE, limits.perSubject],
    ['installation', holders.installation, totals.installation, limits.installation],
  ];
  for (const [scope, holder, used, scopeLimits] of checks) {
    for (const resource of USAGE_RESOURCES) {
      const limit = scopeLimits[resource] ?? 0;
      const requested = delta[resource];
      if (limit === 0 || requested <= 0) continue;
      if (used[resource] + requested > limit) {
        return { scope, holder, resource, requested, used: used[resource], limit };
      }
    }
  }
  return undefined;
}
