// Prometheus metrics, one registry per service instance (tests run many instances in one
// process). Adapters report upstream calls, the health checker its probes, the reconciler its
// passes, and the HTTP edge its requests; /metrics exposes them.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ProbeObserver, ProbeOutcome } from '../../application/health-checker.ts';
import type { HttpMetrics, RequestLimit } from '../../application/ports/http-metrics.ts';
import type { UpstreamCall, UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import type { ReconcileObserver, SweepReport } from '../../application/reconciler/reconciler.ts';
import { DRIFT_KINDS, type DriftKind } from '../../domain/drift-classification.ts';

/**
 * How often the event-loop delay is sampled for the default metrics (prom-client's default is
 * 10 ms). Each sample is a timer that wakes the event loop: at 10 ms that alone kept an idle
 * replica at about 9 ms of CPU per second, a tenth of the chart's CPU request, while every 50 ms
 * it is under 2 ms/s. A stall the lag metrics are there for (a blocked loop, tens of milliseconds
 * and more) is still seen: it delays the next sample by as much.
 */
export const EVENT_LOOP_SAMPLE_MS = 50;

export class PrometheusMetrics
  implements UpstreamCallRecorder, ProbeObserver, ReconcileObserver, HttpMetrics
{
  readonly registry = new Registry();
  readonly #httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly #upstreamCalls: Counter<'system' | 'operation' | 'outcome'>;
  readonly #upstreamDuration: Histogram<'system' | 'operation'>;
  readonly #probes: Counter<'result'>;
  readonly #probeDuration: Histogram;
  readonly #reconciles: Counter<'outcome'>;
  readonly #reconcileDuration: Histogram;
  readonly #leader: Gauge;
  readonly #rateLimited: Counter<'limit'>;
  readonly #refusedConnections: Counter;
  readonly #failedAuthentications: Counter<'reason'>;
  #capacity: (() => { nodePorts: number; firewallRules: number }) | undefined;
  #watchBrokenSeconds: (() => number) | undefined;
  readonly #drift: Counter<'kind'>;
  readonly #driftRepair: Histogram;
  readonly #sweeps: Counter<'outcome'>;
  readonly #sweepDuration: Histogram;
  readonly #sweepListCalls: Histogram;

  constructor(options: { defaultMetrics?: boolean; exposureCount?: () => number } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics) {
      collectDefaultMetrics({
        register: this.registry,
        prefix: 'exposure_api_',
        eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
      });
    }
    this.#httpDuration = new Histogram({
      name: 'exposure_api_http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'exposure_api_rate_limited_total',
      help: 'Requests refused with 429 by a rate limit (reads and writes per caller, failed authentication per address)',
      labelNames: ['limit'],
      registers,
    });
    this.#failedAuthentications = new Counter({
      name: 'exposure_api_failed_authentications_total',
      help: 'Requests whose bearer token did not authenticate, by reason (missing-token, unknown-issuer, expired, wrong-audience, ...)',
      labelNames: ['reason'],
      registers,
    });
    this.#refusedConnections = new Counter({
      name: 'exposure_api_connections_refused_total',
      help: 'Connections refused because their address already held server.maxConnectionsPerAddress',
      registers,
    });
    this.#upstreamCalls = new Counter({
      name: 'exposure_api_upstream_requests_total',
      help: 'Calls to the Kubernetes and GCE APIs by operation and outcome',
      labelNames: ['system', 'operation', 'outcome'],
      registers,
    });
    this.#upstreamDuration = new Histogram({
      name: 'exposure_api_upstream_request_duration_seconds',
      help: 'Latency of calls to the Kubernetes and GCE APIs',
      labelNames: ['system', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.#probes = new Counter({
      name: 'exposure_api_probes_total',
      help: 'Endpoint health probes by result',
      labelNames: ['result'],
      registers,
    });
    this.#probeDuration = new Histogram({
      name: 'exposure_api_probe_duration_seconds',
      help: 'Latency of endpoint health probes',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.#reconciles = new Counter({
      name: 'exposure_api_reconciles_total',
      help: 'Reconciliation passes by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.#reconcileDuration = new Histogram({
      name: 'exposure_api_reconcile_duration_seconds',
      help: 'Duration of reconciliation passes',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#leader = new Gauge({
      name: 'exposure_api_leader',
      help: '1 when this replica is the one that writes to GCE',
      registers,
    });
    // What the installation holds of the capacity tenants share, read on each scrape. Installation
    // totals only: a label per namespace could mean thousands of series; the usage ledger's
    // ConfigMap holds the per-namespace and per-subject counts.
    const capacity = () => this.#capacity?.();
    new Gauge({
      name: 'exposure_api_node_ports',
      help: "Node ports held by this installation's Services (from the cache)",
      registers,
      collect() {
        const held = capacity();
        if (held) this.set(held.nodePorts);
      },
    });
    new Gauge({
      name: 'exposure_api_firewall_rules',
      help: "Firewall rules this installation's exposures hold (one per exposure and IP family, from the cache)",
      registers,
      collect() {
        const held = capacity();
        if (held) this.set(held.firewallRules);
      },
    });
    const watchBroken = () => this.#watchBrokenSeconds?.();
    new Gauge({
      name: 'exposure_api_cache_watch_broken_seconds',
      help: 'Seconds the watch on the Kubernetes API has been broken, so that the caches reads come from may be this old; 0 while it is up',
      registers,
      collect() {
        const seconds = watchBroken();
        if (seconds !== undefined) this.set(seconds);
      },
    });
    this.#drift = new Counter({
      name: 'exposure_api_firewall_drift_total',
      help: 'Firewall rules found changed out of band, by kind (widened, narrowed, deleted, edited)',
      labelNames: ['kind'],
      registers,
    });
    for (const kind of DRIFT_KINDS) this.#drift.inc({ kind }, 0);
    this.#driftRepair = new Histogram({
      name: 'exposure_api_firewall_drift_repair_seconds',
      help: 'Time from the detection of drift to the end of its repair',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.#sweeps = new Counter({
      name: 'exposure_api_drift_sweeps_total',
      help: 'Drift sweeps by outcome (completed, or missed: GCE refused or rate-limited the list)',
      labelNames: ['outcome'],
      registers,
    });
    this.#sweepDuration = new Histogram({
      name: 'exposure_api_drift_sweep_duration_seconds',
      help: 'Duration of drift sweeps (list, confirm, report)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#sweepListCalls = new Histogram({
      name: 'exposure_api_drift_sweep_list_calls',
      help: 'GCE list calls per drift sweep',
      buckets: [1, 2, 5, 10, 20, 25, 50, 100],
      registers,
    });
    const exposureCount = options.exposureCount;
    if (exposureCount) {
      new Gauge({
        name: 'exposure_api_exposures',
        help: 'Exposures managed by this installation (from the cache)',
        registers,
        collect() {
          this.set(exposureCount());
        },
      });
    }
  }

  record(call: UpstreamCall): void {
    this.#upstreamCalls.inc({ system: call.system, operation: call.operation, outcome: call.outcome });
    this.#upstreamDuration.observe({ system: call.system, operation: call.operation }, call.seconds);
  }

  observe(outcome: ProbeOutcome): void {
    this.#probes.inc({ result: outcome.ok ? 'healthy' : 'unhealthy' });
    this.#probeDuration.observe(outcome.latencyMs / 1000);
  }

  reconciled(outcome: 'ok' | 'error', seconds: number): void {
    this.#reconciles.inc({ outcome });
    this.#reconcileDuration.observe(seconds);
  }

  driftFound(kind: DriftKind): void {
    this.#drift.inc({ kind });
  }

  driftRepaired(seconds: number): void {
    this.#driftRepair.observe(seconds);
  }

  sweepCompleted(report: SweepReport): void {
    this.#sweeps.inc({ outcome: report.outcome });
    this.#sweepDuration.observe(report.seconds);
    if (report.outcome === 'completed') this.#sweepListCalls.observe(report.listCalls);
  }

  observeHttp(method: string, route: string, statusCode: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  countRateLimited(limit: RequestLimit): void {
    this.#rateLimited.inc({ limit });
  }

  countFailedAuthentication(reason: string): void {
    this.#failedAuthentications.inc({ reason });
  }

  countRefusedConnection(): void {
    this.#refusedConnections.inc();
  }

  /** Where the capacity gauges read from (the runtime's exposure index). */
  trackCapacity(held: () => { nodePorts: number; firewallRules: number }): void {
    this.#capacity = held;
  }

  /** Read on each scrape: how long the caches' watch has been broken. */
  trackWatchBroken(seconds: () => number): void {
    this.#watchBrokenSeconds = seconds;
  }

  setLeader(isLeader: boolean): void {
    this.#leader.set(isLeader ? 1 : 0);
  }

  /** Total upstream calls to a system so far (for tests and benchmarks that count them). */
  async upstreamCallCount(system: UpstreamCall['system']): Promise<number> {
    const metric = await this.#upstreamCalls.get();
    return metric.values.filter((v) => v.labels.system === system).reduce((sum, v) => sum + v.value, 0);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
