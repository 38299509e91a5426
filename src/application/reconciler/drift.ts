// Drift detection at the cost of list calls only: the rules of this installation are listed page
// by page and compared with what every exposure in the cache needs. It finds the exposures that
// need a pass (rules missing or different, a stale status, an expiry due, a deletion pending), the
// rules a live exposure no longer wants, and the rules whose exposure is gone.
import type { ObservedService } from '../../domain/cluster-objects.ts';
import { type FirewallSettings, recordFirewallRules } from '../../domain/desired-firewall.ts';
import { hasExpired } from '../../domain/expiry.ts';
import { isTerminating, readExposureRecord } from '../../domain/exposure-record.ts';
import { firewallUpToDate } from '../../domain/firewall-drift.ts';
import { parseOwnership } from '../../domain/firewall-ownership.ts';
import type { ObservedFirewallRule } from '../../domain/firewall-rule.ts';
import type { Clock } from '../ports/clock.ts';
import type { Cluster } from '../ports/cluster.ts';
import type { Firewalls } from '../ports/firewalls.ts';
import { installationRulePages } from './owned-rules.ts';
import { collectRequest, type ReconcileRequest, serviceRequest } from './request.ts';

export interface ResyncReport {
  listCalls: number;
  rules: number;
  /** Exposures whose rules were missing, differed, or whose status was stale. */
  drifted: number;
  /** Rules of this installation whose exposure is gone. */
  collected: number;
}

export interface Drift {
  report: ResyncReport;
  /** What to reconcile, in the order it was found; a Service may be named more than once. */
  requests: ReconcileRequest[];
  /** Rules that a live exposure no longer wants (an IP family it dropped), for its next pass. */
  unwanted: { exposureId: string; rule: string }[];
}

export interface DriftSources {
  cluster: Pick<Cluster, 'cachedServices'>;
  firewalls: Firewalls;
  clock: Clock;
  firewall: FirewallSettings;
}

export async function findDrift({ cluster, firewalls, clock, firewall }: DriftSources): Promise<Drift> {
  const report: ResyncReport = { listCalls: 0, rules: 0, drifted: 0, collected: 0 };
  const clusterId = firewall.clusterId;
  const listed = new Map<string, ObservedFirewallRule>();
  for await (const rules of installationRulePages(firewalls, clusterId)) {
    report.listCalls++;
    for (const rule of rules) listed.set(rule.name, rule);
  }
  report.rules = listed.size;
  const requests: ReconcileRequest[] = [];
  const unwanted: Drift['unwanted'] = [];
  const wanted = new Set<string>();
  const liveServices = new Map<string, ObservedService>();
  for (const service of cluster.cachedServices()) {
    const read = readExposureRecord(service);
    if (!read.ok || read.record.clusterId !== clusterId) continue;
    const record = read.record;
    liveServices.set(record.id, service);
    const terminating = isTerminating(record);
    const desired = terminating ? [] : recordFirewallRules(record, firewall);
    for (const rule of desired) wanted.add(rule.name);
    const upToDate =
      !terminating && !hasExpired(record.spec, clock.now()) && firewallUpToDate(record, desired, listed);
    if (!upToDate) {
      report.drifted++;
      requests.push(serviceRequest(service));
    }
  }
  for (const [name, rule] of listed) {
    if (wanted.has(name)) continue;
    const owner = parseOwnership(rule.description);
    if (!owner || owner.clusterId !== clusterId) continue;
    const live = liveServices.get(owner.exposureId);
    if (live) {
      unwanted.push({ exposureId: owner.exposureId, rule: name });
      requests.push(serviceRequest(live));
      continue;
    }
    report.collected++;
    requests.push(collectRequest(owner.exposureId));
  }
  return { report, requests, unwanted };
}
