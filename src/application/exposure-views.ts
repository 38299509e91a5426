// Composes what a read returns from caches only: the exposure record (the Service), the
// reconciler's firewall status, nodes and EndpointSlices from the informers, and probe results.
// Nothing here calls the Kubernetes or GCE API.
import { LRUCache } from 'lru-cache';
import type { ClusterNode, ServiceEndpoint } from '../domain/cluster-objects.ts';
import type { FirewallSettings } from '../domain/desired-firewall.ts';
import {
  countEndpoints,
  type EndpointCandidate,
  type EndpointCounts,
  type EndpointInputs,
  endpointCandidates,
  orderEndpoints,
  type ProbeAddressType,
  type ProbeTarget,
  probeTargetKey,
  probeTargets,
  type RankedEndpoint,
  selectEndpoints,
} from '../domain/endpoints.ts';
import { type ExposureRecord, isTerminating } from '../domain/exposure-record.ts';
import { firewallVerification } from '../domain/firewall-verification.ts';
import { selectorText } from '../domain/label-selector.ts';
import { deriveStatus } from '../domain/status.ts';
import { type NodeTotals, nodeTotals, unprobedEndpointCounts } from '../domain/unprobed-endpoint-counts.ts';
import {
  DEFAULT_ENDPOINT_LIMIT,
  type Endpoint,
  type Exposure,
  type ExposureSummary,
} from '../schemas/exposure.ts';
import { firewallView } from './firewall-view.ts';
import { type HealthChecker, healthFromOutcome, type ProbeOutcome } from './health-checker.ts';
import type { Clock } from './ports/clock.ts';
import type { Cluster } from './ports/cluster.ts';
import type { ReachabilityTracker } from './reachability-tracker.ts';
import type { SweepRecords } from './sweep-records.ts';

export interface ViewSettings {
  firewall: FirewallSettings;
  probeAddressType: ProbeAddressType;
  /**
   * Reads of an exposure with at least this many endpoints (nodes × ports) are streamed (see
   * `selectEndpoints`) instead of built whole and memoized; the memo would not keep a view this
   * large anyway (its entries weigh one more than their endpoints).
   */
  streamedFrom?: number;
}

/** Endpoints kept across all memoized views (≈ 1.5 KB each with their JSON): about 75 MB at most. */
const MEMO_MAX_ENDPOINTS = 50_000;

interface ViewMemo {
  record: ExposureRecord;
  nodes: readonly ClusterNode[];
  serviceEndpoints: readonly ServiceEndpoint[];
  candidates: EndpointCandidate[];
  targets: ProbeTarget[];
  keys: string[];
  outcomes: (ProbeOutcome | undefined)[];
  view?: Exposure;
  /** The endpoint limit `view` was built with. */
  viewLimit?: number;
  /** The drift sweep record `view` was built with (verifiedAt moves with each sweep). */
  sweepVersion?: number;
}

interface RankedCandidate extends RankedEndpoint {
  candidate: EndpointCandidate;
  outcome: ProbeOutcome | undefined;
}

interface SummaryMemo {
  record: ExposureRecord;
  nodes: readonly ClusterNode[];
  serviceEndpoints: readonly ServiceEndpoint[];
  healthVersion: number;
  sweepVersion: number;
  summary: ExposureSummary;
}

function readyCount(endpoints: readonly ServiceEndpoint[]): number {
  let count = 0;
  for (const endpoint of endpoints) if (endpoint.ready) count++;
  return count;
}

export class ExposureViews {
  readonly #cluster: Cluster;
  readonly #health: HealthChecker;
  readonly #settings: ViewSettings;
  readonly #clock: Clock;
  readonly #reachability: ReachabilityTracker;
  readonly #sweeps: SweepRecords | undefined;
  /** The last view of each exposure read, with what it was derived from (bounded: recently read). */
  /**
   * Bounded by size, not count: a view on a large cluster holds thousands of endpoints (and, at the
   * edge, their serialized JSON), so the number of views kept follows the number of endpoints.
   */
  readonly #memo = new LRUCache<string, ViewMemo>({
    maxSize: MEMO_MAX_ENDPOINTS,
    sizeCalculation: (memo) => memo.candidates.length + 1,
  });
  readonly #summaries = new LRUCache<string, SummaryMemo>({ max: 20_000 });
  /** Totals over the current set of nodes (a new array with each change of a node). */
  #nodeTotals: { nodes: readonly ClusterNode[]; totals: NodeTotals } | undefined;

  constructor(
    cluster: Cluster,
    health: HealthChecker,
    settings: ViewSettings,
    clock: Clock,
    reachability: ReachabilityTracker,
    /** The last drift sweep, for verifiedAt (and Unknown after missed sweeps); none: not shown. */
    sweeps?: SweepRecords,
  ) {
    this.#cluster = cluster;
    this.#health = health;
    this.#settings = settings;
    this.#clock = clock;
    this.#reachability = reachability;
    this.#sweeps = sweeps;
  }

  /**
   * The whole exposure, with every endpoint; stale or missing probe results are probed now.
   *
   * A view is a pure function of the record, the nodes, the Service's endpoints and the probe
   * results, so it is kept and returned again (the same object) while none of them changed —
   * which is what makes a cached read cheap, down to its serialization at the edge.
   */
  async full(
    record: ExposureRecord,
    options: { refresh?: boolean; endpointLimit?: number } = {},
  ): Promise<Exposure> {
    const limit = options.endpointLimit ?? DEFAULT_ENDPOINT_LIMIT;
    const nodes = this.#cluster.nodes();
    const serviceEndpoints = this.#serviceEndpoints(record);
    if (nodes.length * record.service.ports.length >= (this.#settings.streamedFrom ?? MEMO_MAX_ENDPOINTS)) {
      return this.#streamed(record, nodes, serviceEndpoints, limit, options);
    }
    let memo = this.#memo.get(record.id);
    if (
      !memo ||
      memo.record !== record ||
      memo.nodes !== nodes ||
      memo.serviceEndpoints !== serviceEndpoints
    ) {
      const candidates = this.#candidates(record, nodes, serviceEndpoints);
      const targets = candidates.flatMap((candidate) => (candidate.probe ? [candidate.probe] : []));
      memo = {
        record,
        nodes,
        serviceEndpoints,
        candidates,
        targets,
        keys: targets.map(probeTargetKey),
        outcomes: [],
      };
      this.#memo.set(record.id, memo);
    }
    const fresh = options.refresh ? undefined : this.#health.freshResults(memo.keys);
    let outcomes = fresh;
    if (!outcomes) {
      const results = await this.#health.check(memo.targets, options);
      outcomes = memo.keys.map((key) => results.get(key));
    }
    const sweepVersion = this.#sweeps?.version ?? 0;
    if (
      memo.view &&
      memo.viewLimit === limit &&
      memo.sweepVersion === sweepVersion &&
      outcomes.every((outcome, i) => outcome === memo.outcomes[i])
    ) {
      return memo.view;
    }
    const byKey = new Map(memo.keys.map((key, i) => [key, outcomes[i]]));
    const ranked = this.#ranked(memo.candidates, (target) => byKey.get(probeTargetKey(target)));
    const counts = countEndpoints(ranked, readyCount(serviceEndpoints));
    const endpoints = ranked
      .slice(0, limit)
      .map(({ candidate, outcome }) => this.#endpoint(candidate, outcome));
    const omitted = ranked.length - endpoints.length;
    const view: Exposure = {
      ...this.#summary(record, counts),
      endpoints,
      ...(omitted > 0 && { endpointsOmitted: omitted }),
    };
    memo.outcomes = outcomes;
    memo.view = view;
    memo.viewLimit = limit;
    memo.sweepVersion = sweepVersion;
    return view;
  }

  /** `full` for an exposure with too many endpoints to build at once: two passes, `limit` kept. */
  async #streamed(
    record: ExposureRecord,
    nodes: readonly ClusterNode[],
    serviceEndpoints: readonly ServiceEndpoint[],
    limit: number,
    options: { refresh?: boolean },
  ): Promise<Exposure> {
    const inputs = this.#endpointInputs(record, nodes, serviceEndpoints);
    const probed = await this.#health.check(
      this.#health.staleTargets(probeTargets(inputs), options),
      options,
    );
    const { selected, counts } = selectEndpoints(
      inputs,
      (target) => probed.get(probeTargetKey(target)) ?? this.#health.cached(target),
      limit,
      readyCount(serviceEndpoints),
    );
    const endpoints = selected.map(({ candidate, outcome }) => this.#endpoint(candidate, outcome));
    const omitted = counts.total - endpoints.length;
    return {
      ...this.#summary(record, counts),
      endpoints,
      ...(omitted > 0 && { endpointsOmitted: omitted }),
    };
  }

  #endpoint(candidate: EndpointCandidate, outcome: ProbeOutcome | undefined): Endpoint {
    const { probe, notProbedReason, ...endpoint } = candidate;
    return {
      ...endpoint,
      health: probe
        ? healthFromOutcome(outcome, 'not probed: this read reached its cap on probes')
        : healthFromOutcome(undefined, notProbedReason),
    };
  }

  /** The exposure without its endpoint list, with health from the probe cache only (never probes). */
  summary(record: ExposureRecord): ExposureSummary {
    const nodes = this.#cluster.nodes();
    const serviceEndpoints = this.#serviceEndpoints(record);
    const healthVersion = this.#health.scopeVersion(record.service.uid);
    const sweepVersion = this.#sweeps?.version ?? 0;
    const kept = this.#summaries.get(record.id);
    // Listing thousands of exposures on thousands of nodes is costly; unchanged inputs, same answer.
    if (
      kept &&
      kept.record === record &&
      kept.nodes === nodes &&
      kept.serviceEndpoints === serviceEndpoints &&
      kept.healthVersion === healthVersion &&
      kept.sweepVersion === sweepVersion
    ) {
      return kept.summary;
    }
    const inputs = this.#endpointInputs(record, nodes, serviceEndpoints);
    const counts = this.#health.hasResults(record.service.uid)
      ? selectEndpoints(inputs, (target) => this.#health.cached(target), 0, readyCount(serviceEndpoints))
          .counts
      : unprobedEndpointCounts(inputs, this.#totalsOf(nodes), readyCount(serviceEndpoints));
    const summary = this.#summary(record, counts);
    this.#summaries.set(record.id, { record, nodes, serviceEndpoints, healthVersion, sweepVersion, summary });
    return summary;
  }

  #totalsOf(nodes: readonly ClusterNode[]): NodeTotals {
    if (this.#nodeTotals?.nodes !== nodes) this.#nodeTotals = { nodes, totals: nodeTotals(nodes) };
    return this.#nodeTotals.totals;
  }

  #candidates(
    record: ExposureRecord,
    nodes: readonly ClusterNode[],
    serviceEndpoints: readonly ServiceEndpoint[],
  ): EndpointCandidate[] {
    return endpointCandidates(this.#endpointInputs(record, nodes, serviceEndpoints));
  }

  #endpointInputs(
    record: ExposureRecord,
    nodes: readonly ClusterNode[],
    serviceEndpoints: readonly ServiceEndpoint[],
  ): EndpointInputs {
    return {
      ports: record.service.ports,
      externalTrafficPolicy: record.spec.externalTrafficPolicy,
      ...(record.spec.healthCheck && { healthCheck: record.spec.healthCheck }),
      nodes,
      serviceEndpoints,
      probeAddressType: this.#settings.probeAddressType,
      probeScope: record.service.uid,
    };
  }

  #serviceEndpoints(record: ExposureRecord): readonly ServiceEndpoint[] {
    return this.#cluster.serviceEndpoints(record.service);
  }

  /**
   * Every candidate with its probe outcome, in the order endpoints are listed. Only the endpoints
   * an answer lists are built in full afterwards: an exposure with many ports on a large cluster
   * has hundreds of thousands of endpoints, most of which a caller never sees.
   */
  #ranked(
    candidates: readonly EndpointCandidate[],
    outcomeOf: (target: ProbeTarget) => ProbeOutcome | undefined,
  ): RankedCandidate[] {
    return orderEndpoints(
      candidates.map((candidate) => {
        const outcome = candidate.probe ? outcomeOf(candidate.probe) : undefined;
        return {
          candidate,
          outcome,
          serving: candidate.serving,
          node: candidate.node,
          port: candidate.port,
          protocol: candidate.protocol,
          health: { state: outcome ? (outcome.ok ? 'Healthy' : 'Unhealthy') : 'Unknown' },
        };
      }),
    );
  }

  #summary(record: ExposureRecord, counts: EndpointCounts): ExposureSummary {
    const { spec, service } = record;
    const nowIso = new Date(this.#clock.now()).toISOString();
    const verification = this.#sweeps
      ? firewallVerification(record.firewallStatus, record.specHash, this.#sweeps.latest())
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
      reachableSince: (status, reason) => this.#reachability.since(record.id, status, reason, nowIso),
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
      firewall: firewallView(record, this.#settings.firewall, verification),
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
}
