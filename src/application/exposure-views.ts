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
import type { ExposureRecord } from '../domain/exposure-record.ts';
import { type NodeTotals, nodeTotals, unprobedEndpointCounts } from '../domain/unprobed-endpoint-counts.ts';
import {
  DEFAULT_ENDPOINT_LIMIT,
  type Endpoint,
  type Exposure,
  type ExposureSummary,
} from '../schemas/exposure.ts';
import { exposureSummary, type SummaryContext } from './exposure-summary.ts';
import { type HealthChecker, healthFromOutcome, type ProbeOutcome } from './health-checker.ts';
import type { Clock } from './ports/clock.ts';
import type { Cluster } from './ports/cluster.ts';
import type { ReachabilityTracker } from './reachability-tracker.ts';
import type { SweepRecords } from './sweep-records.ts';
import { keptText, MEMO_MAX_ENDPOINTS, type ViewMemo } from './view-memo.ts';

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

/** How a view is sent: the edge's serializer of the Exposure schema (see `encoded`). */
export type ExposureEncoder = (view: Exposure) => string;

/** What a full read is built from: the memo of its inputs and the probe results, fresh now. */
interface FullReadInputs {
  memo: ViewMemo;
  /** Derived for this read when it had to probe (the memo does not keep them). */
  candidates: EndpointCandidate[] | undefined;
  outcomes: (ProbeOutcome | undefined)[];
  limit: number;
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
  readonly #sweeps: SweepRecords | undefined;
  readonly #summaryContext: SummaryContext;
  /**
   * The last full read of each exposure read recently. Bounded by size, not count: on a large
   * cluster one view holds thousands of endpoints, so the number kept follows the endpoints.
   */
  readonly #memo = new LRUCache<string, ViewMemo>({
    maxSize: MEMO_MAX_ENDPOINTS,
    sizeCalculation: (memo) => memo.endpoints + 1,
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
    this.#sweeps = sweeps;
    this.#summaryContext = { firewall: settings.firewall, clock, reachability, ...(sweeps && { sweeps }) };
  }

  /** The whole exposure, with every endpoint; stale or missing probe results are probed now. */
  async full(
    record: ExposureRecord,
    options: { refresh?: boolean; endpointLimit?: number } = {},
  ): Promise<Exposure> {
    const inputs = await this.#fullReadInputs(record, options);
    return 'streamed' in inputs ? inputs.streamed : this.#build(record, inputs);
  }

  /**
   * `full`, serialized by `encode` (the route's own serializer, so the text is what sending the
   * view would give). A view is a pure function of the record, the nodes, the Service's endpoints,
   * the probe results, the endpoint limit and the last sweep, so its text is kept and returned
   * again while none of them changed — which is what makes a cached read cheap: no view built,
   * nothing serialized.
   */
  async encoded(
    record: ExposureRecord,
    options: { refresh?: boolean; endpointLimit?: number },
    encode: ExposureEncoder,
  ): Promise<string> {
    const inputs = await this.#fullReadInputs(record, options);
    if ('streamed' in inputs) return encode(inputs.streamed);
    const { memo, outcomes, limit } = inputs;
    const sweepVersion = this.#sweeps?.version ?? 0;
    const kept = keptText(memo, limit, sweepVersion, outcomes);
    if (kept !== undefined) return kept;
    const encoded = encode(this.#build(record, inputs));
    // Kept from the second read on: most exposures read in full are read once (a portal opening
    // each in turn, a script going over the fleet), and their text would only push out the answers
    // of those read again and again (a dashboard that polls). A second read costs one more build.
    memo.reads++;
    if (memo.reads < 2) return encoded;
    memo.encoded = encoded;
    memo.outcomes = outcomes;
    memo.limit = limit;
    memo.sweepVersion = sweepVersion;
    return encoded;
  }

  /**
   * The kept text of `encoded`, when nothing it was made from has changed and every probe result
   * is fresh: what a repeated read serves without waiting for anything. Undefined when the read
   * needs more (a refresh, a changed input, a probe to make): `encoded` then does the work.
   */
  kept(record: ExposureRecord, options: { refresh?: boolean; endpointLimit?: number }): string | undefined {
    if (options.refresh) return undefined;
    const memo = this.#currentMemo(record, this.#cluster.nodes(), this.#serviceEndpoints(record));
    if (memo?.encoded === undefined) return undefined;
    const fresh = this.#health.freshResults(memo.keys);
    const limit = options.endpointLimit ?? DEFAULT_ENDPOINT_LIMIT;
    return fresh && keptText(memo, limit, this.#sweeps?.version ?? 0, fresh);
  }

  /** The memo of an exposure's full read, while it was made from this record, nodes and endpoints. */
  #currentMemo(
    record: ExposureRecord,
    nodes: readonly ClusterNode[],
    serviceEndpoints: readonly ServiceEndpoint[],
  ): ViewMemo | undefined {
    const memo = this.#memo.get(record.id);
    return memo?.record === record && memo.nodes === nodes && memo.serviceEndpoints === serviceEndpoints
      ? memo
      : undefined;
  }

  async #fullReadInputs(
    record: ExposureRecord,
    options: { refresh?: boolean; endpointLimit?: number },
  ): Promise<FullReadInputs | { streamed: Exposure }> {
    const limit = options.endpointLimit ?? DEFAULT_ENDPOINT_LIMIT;
    const nodes = this.#cluster.nodes();
    const serviceEndpoints = this.#serviceEndpoints(record);
    if (nodes.length * record.service.ports.length >= (this.#settings.streamedFrom ?? MEMO_MAX_ENDPOINTS)) {
      return { streamed: await this.#streamed(record, nodes, serviceEndpoints, limit, options) };
    }
    let memo = this.#currentMemo(record, nodes, serviceEndpoints);
    let candidates: EndpointCandidate[] | undefined;
    if (!memo) {
      candidates = this.#candidates(record, nodes, serviceEndpoints);
      const keys: string[] = [];
      for (const candidate of candidates) if (candidate.probe) keys.push(probeTargetKey(candidate.probe));
      memo = { record, nodes, serviceEndpoints, endpoints: candidates.length, keys, outcomes: [], reads: 0 };
      this.#memo.set(record.id, memo);
    }
    const fresh = options.refresh ? undefined : this.#health.freshResults(memo.keys);
    if (fresh) return { memo, candidates, outcomes: fresh, limit };
    candidates ??= this.#candidates(record, nodes, serviceEndpoints);
    const targets = candidates.flatMap((candidate) => (candidate.probe ? [candidate.probe] : []));
    const results = await this.#health.check(targets, options, memo.keys);
    return { memo, candidates, outcomes: memo.keys.map((key) => results.get(key)), limit };
  }

  /** The view of a memoized exposure from its inputs and probe results. */
  #build(record: ExposureRecord, { memo, candidates, outcomes, limit }: FullReadInputs): Exposure {
    const byKey = new Map(memo.keys.map((key, i) => [key, outcomes[i]]));
    const ranked = this.#ranked(
      candidates ?? this.#candidates(record, memo.nodes, memo.serviceEndpoints),
      (target) => byKey.get(probeTargetKey(target)),
    );
    const counts = countEndpoints(ranked, readyCount(memo.serviceEndpoints));
    const endpoints = ranked
      .slice(0, limit)
      .map(({ candidate, outcome }) => this.#endpoint(candidate, outcome));
    const omitted = ranked.length - endpoints.length;
    return {
      ...this.#summary(record, counts),
      endpoints,
      ...(omitted > 0 && { endpointsOmitted: omitted }),
    };
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
        ? healthFromOutcome({ target: probe, outcome }, 'not probed: this read reached its cap on probes')
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
    // Without probe results the counts come from per-node totals, a few steps: such a summary is
    // built again rather than kept (10,000 kept summaries would hold ≈ 20 MB of heap).
    if (!this.#health.hasResults(record.service.uid)) {
      if (kept) this.#summaries.delete(record.id);
      return this.#summary(
        record,
        unprobedEndpointCounts(inputs, this.#totalsOf(nodes), readyCount(serviceEndpoints)),
      );
    }
    const counts = selectEndpoints(
      inputs,
      (target) => this.#health.cached(target),
      0,
      readyCount(serviceEndpoints),
    ).counts;
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
    return exposureSummary(record, counts, this.#summaryContext);
  }
}
