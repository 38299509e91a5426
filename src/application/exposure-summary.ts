// The exposure without its endpoint list: spec, Service, firewall and status, with endpoint counts
// given. What a list item is, and the head of a full read.
import type { FirewallSettings } from '../domain/desired-firewall.ts';
import type { EndpointCounts } from '../domain/endpoints.ts';
import { type ExposureRecord, isTerminating } from '../domain/exposure-record.ts';
import { firewallVerification } from '../domain/firewall-verification.ts';
import { selectorText } from '../domain/label-selector.ts';
import { deriveStatus } from '../domain/status.ts';
import type { ExposureSummary } from '../schemas/exposure.ts';
import { firewallView } from './firewall-view.ts';
import type { Clock } from './ports/clock.ts';
import type { ReachabilityTracker } from './reachability-tracker.ts';
import type { SweepRecords } from './sweep-records.ts';

export interface SummaryContext {
  firewall: FirewallSettings;
  clock: Clock;
  reachability: ReachabilityTracker;
  /** The last drift sweep, for verifiedAt (and Unknown after missed sweeps); none: not shown. */
  sweeps?: SweepRecords;
}

export function exposureSummary(
  record: ExposureRecord,
  counts: EndpointCounts,
  context: SummaryContext,
): ExposureSummary {
  const { spec, service } = record;
  const nowIso = new Date(context.clock.now()).toISOString();
  const verification = context.sweeps
    ? firewallVerification(record.firewallStatus, record.specHash, context.sweeps.latest())
    : undefined;
  const status = deriveStatus({
    generation: record.generation,
    specHash: record.specHash,
    createdAt: record.createdAt,
    terminating: isTerminating(record),
    serviceDescription: `Service ${spec.namespace}/${spec.name} (NodePort ${service.ports.map((p) => `${p.nodePort}/${p.protocol}`).join(', ')})`,
    firewall: record.firewallStatus,
    ...(verification && { verification }),
    endpoints: counts,
    selectorText: selectorText(spec.selector),
    reachableSince: (status, reason) => context.reachability.since(record.id, status, reason, nowIso),
  });
  return {
    id: record.id,
    cluster: record.clusterId,
    namespace: spec.namespace,
    name: spec.name,
    selector: spec.selector,
    ports: service.ports.map((port) => ({
      ...(port.name !== undefined && { name: port.name }),
      port: port.port,
      targetPort: port.targetPort,
      nodePort: port.nodePort,
      protocol: port.protocol,
    })),
    externalTrafficPolicy: spec.externalTrafficPolicy,
    sourceRanges: spec.sourceRanges,
    labels: spec.labels,
    ...(spec.healthCheck && { healthCheck: spec.healthCheck }),
    service: {
      namespace: service.namespace,
      name: service.name,
      type: 'NodePort',
      ...(service.clusterIP !== undefined && { clusterIP: service.clusterIP }),
      uid: service.uid,
    },
    firewall: firewallView(record, context.firewall, verification),
    status,
    endpointSummary: {
      total: counts.total,
      serving: counts.serving,
      healthy: counts.healthy,
      unhealthy: counts.unhealthy,
      unknown: counts.unknown,
    },
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    expiresAt: record.spec.expiresAt ?? null,
    generation: record.generation,
  };
}
