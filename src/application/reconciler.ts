// Level-triggered reconciliation of firewall rules, in the manner of a controller-runtime
// reconciler: for each exposure, compare the world with the desired state and take the next
// idempotent step — create the rule, patch what drifted, or (for a terminating Service) delete the
// rules and then let the Service go. A crash at any point is repaired by the next pass.
import type { ObservedService, ServiceRef } from '../domain/cluster-objects.ts';
import { serviceKey } from '../domain/cluster-objects.ts';
import { desiredFirewallRules, type FirewallSettings } from '../domain/desired-firewall.ts';
import { type ExposureId, isExposureId } from '../domain/exposure-id.ts';
import {
  type ExposureRecord,
  exposedPorts,
  isTerminating,
  readExposureRecord,
} from '../domain/exposure-record.ts';
import type { SpecRules } from '../domain/exposure-spec.ts';
import { firewallDifferences, repairAction } from '../domain/firewall-comparison.ts';
import { isOwnedBy, parseOwnership } from '../domain/firewall-ownership.ts';
import type { FirewallRuleSpec, ObservedFirewallRule } from '../domain/firewall-rule.ts';
import { type FirewallStatusRecord, sameFirewallStatus } from '../domain/firewall-status.ts';
import {
  CLUSTER_ID_ANNOTATION,
  EXPOSURE_ID_LABEL,
  FIREWALL_FINALIZER,
  FIREWALL_STATUS_ANNOTATION,
  firewallRuleName,
  firewallRulePrefix,
} from '../domain/naming.ts';
import { checkSourceRanges } from '../domain/source-range-policy.ts';
import { describeFirewallFailure, type FirewallAction } from './firewall-failure.ts';
import type { Clock } from './ports/clock.ts';
import { type Cluster, ClusterError, type ClusterEvent, type ClusterEventRecord } from './ports/cluster.ts';
import { FirewallError, type Firewalls } from './ports/firewalls.ts';
import { type BackoffSettings, WorkQueue, type WorkResult } from './work-queue.ts';

export interface ReconcilerSettings {
  firewall: FirewallSettings;
  /** Today's policy, applied again to every stored spec before its rule is written. */
  spec: SpecRules;
  workers: number;
  backoff: BackoffSettings;
  /** How often every exposure is looked at again, to repair drift nobody told us about. */
  resyncIntervalMs: number;
  /** How soon a failure only a person can fix is retried. */
  needsPersonRecheckMs: number;
}

export interface ResyncReport {
  listCalls: number;
  rules: number;
  /** Exposures whose rules were missing, differed, or whose status was stale. */
  drifted: number;
  /** Rules of this installation whose exposure is gone. */
  collected: number;
}

export interface ReconcilerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ReconcileObserver {
  reconciled(outcome: 'ok' | 'error', seconds: number): void;
}

type RuleStep = 'created' | 'repaired' | 'updated' | 'unchanged';

class StepFailure extends Error {
  readonly action: FirewallAction;
  readonly rule: FirewallRuleSpec;
  constructor(action: FirewallAction, rule: FirewallRuleSpec, cause: unknown) {
    super(`${action} ${rule.name} failed`, { cause });
    this.action = action;
    this.rule = rule;
  }
}

class RuleNameTaken extends Error {
  readonly rule: FirewallRuleSpec;
  constructor(rule: FirewallRuleSpec) {
    super(`rule ${rule.name} exists but is not owned by this exposure`);
    this.rule = rule;
  }
}

/** setTimeout cannot wait longer than about 24 days; expiry is looked at at least this often. */
const MAX_EXPIRY_WAIT_MS = 60 * 60 * 1000;

const SERVICE_KEY = 'svc:';
const COLLECT_KEY = 'gc:';

export class Reconciler {
  readonly #cluster: Cluster;
  readonly #firewalls: Firewalls;
  readonly #clock: Clock;
  readonly #settings: ReconcilerSettings;
  readonly #log: ReconcilerLog;
  readonly #observer: ReconcileObserver | undefined;
  #queue: WorkQueue<string> | undefined;
  /**
   * What each Service looked like at its last reconciliation attempt. Events that change nothing
   * the reconciler cares about (its own status writes, above all) are skipped, so a failing
   * exposure waits for its backoff instead of being retried by the echo of its status update.
   */
  readonly #lastAttempted = new Map<string, string>();
  /** Rules a resync listed that an exposure no longer wants, by exposure id: deleted at its next pass. */
  readonly #unwanted = new Map<string, Set<string>>();
  #unsubscribe: (() => void) | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(deps: {
    cluster: Cluster;
    firewalls: Firewalls;
    clock: Clock;
    settings: ReconcilerSettings;
    log: ReconcilerLog;
    observer?: ReconcileObserver;
  }) {
    this.#cluster = deps.cluster;
    this.#firewalls = deps.firewalls;
    this.#clock = deps.clock;
    this.#settings = deps.settings;
    this.#log = deps.log;
    this.#observer = deps.observer;
  }

  get running(): boolean {
    return this.#queue !== undefined;
  }

  /** Starts reconciling (when this replica becomes the leader); a stopped reconciler can start again. */
  start(): void {
    if (this.#queue) return;
    this.#queue = new WorkQueue<string>((key) => this.#process(key), {
      workers: this.#settings.workers,
      backoff: this.#settings.backoff,
      key: (key) => key,
    });
    this.#lastAttempted.clear();
    this.#unsubscribe = this.#cluster.subscribe((event) => this.#onEvent(event));
    // At start, the list-based resync finds what needs work: a restart with nothing drifted costs
    // list calls only. If GCE cannot be listed, every exposure is looked at one by one instead.
    void this.fullResync().catch((error: unknown) => {
      this.#log.warn(
        { err: error },
        'could not list the firewall rules; reconciling every exposure one by one',
      );
      for (const service of this.#cluster.cachedServices()) this.enqueue(service);
    });
    this.#resyncTimer = setInterval(
      () => void this.fullResync().catch(() => {}),
      this.#settings.resyncIntervalMs,
    );
    this.#resyncTimer.unref();
  }

  /** Stops taking work and waits for the steps in flight, so no GCE write starts after it resolves. */
  async stop(): Promise<void> {
    const queue = this.#queue;
    this.#queue = undefined;
    this.#unsubscribe?.();
    if (this.#resyncTimer) clearInterval(this.#resyncTimer);
    await queue?.stop();
  }

  /** Reconciles the Service soon (ignored while this replica is not the leader). */
  enqueue(ref: ServiceRef): void {
    this.#queue?.add(SERVICE_KEY + serviceKey(ref));
  }

  /**
   * The periodic drift check, at the cost of list calls only: the rules of this installation are
   * listed page by page and compared with what every exposure needs. Exposures whose rules are
   * missing or differ (or whose status is stale) are reconciled; rules that carry this cluster id
   * but whose exposure is gone are deleted once the API confirms the exposure is gone.
   */
  async fullResync(): Promise<ResyncReport> {
    const report: ResyncReport = { listCalls: 0, rules: 0, drifted: 0, collected: 0 };
    if (!this.#queue || !this.#cluster.synced()) return report;
    const clusterId = this.#settings.firewall.clusterId;
    const listed = new Map<string, ObservedFirewallRule>();
    for await (const rules of this.#rulePages()) {
      report.listCalls++;
      for (const rule of rules) listed.set(rule.name, rule);
    }
    report.rules = listed.size;
    const wanted = new Set<string>();
    const liveServices = new Map<string, ObservedService>();
    for (const service of this.#cluster.cachedServices()) {
      const read = readExposureRecord(service);
      if (!read.ok || read.record.clusterId !== clusterId) continue;
      const record = read.record;
      liveServices.set(record.id, service);
      const desired = isTerminating(record) ? [] : this.#desiredRules(record);
      for (const rule of desired) wanted.add(rule.name);
      const expired =
        record.spec.expiresAt !== undefined && Date.parse(record.spec.expiresAt) <= this.#clock.now();
      const upToDate =
        !isTerminating(record) &&
        !expired &&
        record.firewallStatus?.state === 'UpToDate' &&
        record.firewallStatus.specHash === record.specHash &&
        desired.every((rule) => {
          const observed = listed.get(rule.name);
          return observed !== undefined && firewallDifferences(rule, observed).length === 0;
        });
      if (!upToDate) {
        report.drifted++;
        this.#lastAttempted.delete(serviceKey(service));
        this.enqueue(service);
      }
    }
    for (const [name, rule] of listed) {
      if (wanted.has(name)) continue;
      const owner = parseOwnership(rule.description);
      if (!owner || owner.clusterId !== clusterId) continue;
      const live = liveServices.get(owner.exposureId);
      if (live) {
        // A rule the exposure no longer wants (an IP family it dropped): its next pass deletes it.
        const names = this.#unwanted.get(owner.exposureId) ?? new Set<string>();
        names.add(name);
        this.#unwanted.set(owner.exposureId, names);
        this.#lastAttempted.delete(serviceKey(live));
        this.enqueue(live);
        continue;
      }
      report.collected++;
      this.#queue?.add(COLLECT_KEY + owner.exposureId);
    }
    this.#log.info({ ...report }, 'full resync done');
    return report;
  }

  /** Resolves when no reconciliation is queued or running (for tests and graceful stops). */
  idle(): Promise<void> {
    return this.#queue?.idle() ?? Promise.resolve();
  }

  #onEvent(event: ClusterEvent): void {
    if (event.kind !== 'service') return;
    const key = serviceKey(event.service);
    if (event.type === 'delete') {
      this.#lastAttempted.delete(key);
      // The Service is gone; if its finalizer was removed by someone else, its rules may remain.
      const id = event.service.labels[EXPOSURE_ID_LABEL];
      if (id) this.#queue?.add(COLLECT_KEY + id);
      return;
    }
    if (this.#lastAttempted.get(key) === fingerprint(event.service)) return;
    this.enqueue(event.service);
  }

  async #process(key: string): Promise<WorkResult> {
    const started = performance.now();
    let result: WorkResult;
    try {
      if (key.startsWith(COLLECT_KEY))
        result = await this.#collect(key.slice(COLLECT_KEY.length) as ExposureId);
      else result = await this.#reconcileService(key.slice(SERVICE_KEY.length));
    } catch (error) {
      this.#log.warn({ key, err: error }, 'reconcile failed');
      // The Kubernetes API says when to come back (429, 503 with Retry-After): never sooner.
      const retryAfter = error instanceof ClusterError ? error.retryAfterSeconds : undefined;
      result =
        retryAfter === undefined ? { kind: 'retry' } : { kind: 'retry', notBeforeMs: retryAfter * 1000 };
    }
    this.#observer?.reconciled(
      result.kind === 'retry' ? 'error' : 'ok',
      (performance.now() - started) / 1000,
    );
    return result;
  }

  async #reconcileService(key: string): Promise<WorkResult> {
    const [namespace = '', name = ''] = key.split('/');
    const service = this.#cluster.cachedService({ namespace, name });
    if (!service) return { kind: 'done' };
    const read = readExposureRecord(service);
    if (!read.ok) {
      // Edited beyond recognition: nothing to reconcile, but a deletion must still go through,
      // or the Service (and its namespace) would hang on our finalizer for ever.
      const ours =
        (service.annotations[CLUSTER_ID_ANNOTATION] ?? this.#settings.firewall.clusterId) ===
        this.#settings.firewall.clusterId;
      if (
        ours &&
        service.deletionTimestamp !== undefined &&
        service.finalizers.includes(FIREWALL_FINALIZER)
      ) {
        return this.#finalizeUnreadable(service);
      }
      return { kind: 'done' };
    }
    if (read.record.clusterId !== this.#settings.firewall.clusterId) return { kind: 'done' };
    this.#lastAttempted.set(key, fingerprint(service));
    const record = read.record;
    if (isTerminating(record)) return this.#finalize(record);
    const expiresAtMs = record.spec.expiresAt === undefined ? undefined : Date.parse(record.spec.expiresAt);
    if (expiresAtMs !== undefined && expiresAtMs <= this.#clock.now()) return this.#expire(record);
    const result = await this.#ensureRules(record);
    if (result.kind !== 'done' || expiresAtMs === undefined) return result;
    // Look again at expiry (timers cannot reach a year away: check at least hourly).
    return { kind: 'recheck', afterMs: Math.min(expiresAtMs - this.#clock.now() + 10, MAX_EXPIRY_WAIT_MS) };
  }

  /** An expired exposure is deleted like any other: the finalizer sees to the rule first. */
  async #expire(record: ExposureRecord): Promise<WorkResult> {
    let result: Awaited<ReturnType<Cluster['deleteService']>>;
    try {
      // Only the Service as seen here: a PATCH that just extended the expiry must win.
      result = await this.#cluster.deleteService(record.service, {
        uid: record.service.uid,
        resourceVersion: record.service.resourceVersion,
      });
    } catch (error) {
      if (error instanceof ClusterError && error.kind === 'Conflict')
        return { kind: 'recheck', afterMs: 1000 };
      throw error;
    }
    this.#log.info(
      { exposure: record.id, expiresAt: record.spec.expiresAt },
      'exposure expired; deleting it',
    );
    if (result.outcome === 'terminating') {
      await this.#event(record, {
        type: 'Normal',
        reason: 'Expired',
        message: `the exposure expired at ${record.spec.expiresAt}; deleting its firewall rules, then the Service`,
      });
      return this.#finalize(readExposureRecordOr(result.service, record));
    }
    return { kind: 'done' };
  }

  #desiredRules(record: ExposureRecord): FirewallRuleSpec[] {
    return desiredFirewallRules(
      {
        id: record.id,
        namespace: record.spec.namespace,
        name: record.spec.name,
        sourceRanges: record.spec.sourceRanges,
        ports: exposedPorts(record),
      },
      this.#settings.firewall,
    );
  }

  /**
   * Why the stored spec may not be opened as it is, or undefined. The spec was checked when it was
   * accepted, but it lives in an annotation anyone with `kubectl edit` can change, and the policy
   * may have been tightened since: the rule must never be wider than the policy allows today.
   */
  #policyProblem(record: ExposureRecord): string | undefined {
    const ranges = checkSourceRanges(record.spec.sourceRanges, this.#settings.spec.sourceRanges);
    if (ranges.violations.length > 0) return ranges.violations.map((v) => v.detail).join('; ');
    if (exposedPorts(record).length === 0)
      return 'none of the ports the exposure asked for is on the Service';
    return undefined;
  }
  /** Creates or repairs the exposure's rules and removes rules of IP families it no longer has. */
  async #ensureRules(record: ExposureRecord): Promise<WorkResult> {
    const problem = this.#policyProblem(record);
    if (problem) return this.#closeForPolicy(record, problem);
    const desired = this.#desiredRules(record);
    const steps: { rule: FirewallRuleSpec; step: RuleStep }[] = [];
    try {
      for (const rule of desired) steps.push({ rule, step: await this.#ensureRule(rule, record) });
      // Rules of an IP family the exposure no longer has: the ones the last pass had in place, or
      // that a resync found; looking each possible name up every time would double the reads.
      const wanted = new Set(desired.map((rule) => rule.name));
      const known = new Set([
        ...(record.firewallStatus?.rules ?? []),
        ...(this.#unwanted.get(record.id) ?? []),
      ]);
      for (const name of known) {
        if (!wanted.has(name)) await this.#deleteOwnedRule(name, record.id);
      }
      this.#unwanted.delete(record.id);
    } catch (error) {
      return this.#fail(record, error);
    }
    for (const { rule, step } of steps) await this.#announce(record, rule, step);
    await this.#writeStatus(record, {
      state: 'UpToDate',
      status: 'True',
      reason: 'UpToDate',
      message: `firewall rule${desired.length > 1 ? 's' : ''} ${desired.map((rule) => rule.name).join(', ')} allow ${describeAllowed(desired)} from ${record.spec.sourceRanges.join(', ')}`,
      rules: desired.map((rule) => rule.name),
      failures: 0,
    });
    return { kind: 'done' };
  }

  async #ensureRule(rule: FirewallRuleSpec, record: ExposureRecord, attempt = 1): Promise<RuleStep> {
    const observed = await this.#call('create', rule, () => this.#firewalls.get(rule.name));
    if (!observed) {
      try {
        await this.#firewalls.insert(rule);
      } catch (error) {
        // Another pass (or a crashed one) may have created it meanwhile: look once more.
        const raced = error instanceof FirewallError && error.kind === 'AlreadyExists' && attempt === 1;
        if (!raced) throw new StepFailure('create', rule, error);
        return this.#ensureRule(rule, record, attempt + 1);
      }
      return record.firewallStatus?.everReady ? 'repaired' : 'created';
    }
    if (!isOwnedBy(observed.description, this.#settings.firewall.clusterId, record.id))
      throw new RuleNameTaken(rule);
    const differences = firewallDifferences(rule, observed);
    const action = repairAction(differences, rule, observed);
    if (action === 'none') return 'unchanged';
    if (action === 'recreate') {
      // The port is closed between the delete and the insert; unavoidable, since GCE cannot move
      // a rule to another network or direction.
      await this.#call('delete', rule, () => this.#firewalls.delete(rule.name));
      await this.#call('create', rule, () => this.#firewalls.insert(rule));
    } else if (action === 'update') {
      await this.#call('update', rule, () => this.#firewalls.update(rule));
    } else {
      const changes: Partial<FirewallRuleSpec> = {};
      for (const field of differences) {
        if (field in rule) Object.assign(changes, { [field]: rule[field as keyof FirewallRuleSpec] });
      }
      await this.#call('update', rule, () => this.#firewalls.patch(rule.name, changes));
    }
    // A rule that matched the spec at the last pass and differs now was edited out of band.
    const specUnchanged =
      record.firewallStatus?.specHash === record.specHash && record.firewallStatus.state === 'UpToDate';
    return specUnchanged ? 'repaired' : 'updated';
  }

  /** A spec that breaks today's policy: its rules are removed (the port closes) until it is fixed. */
  async #closeForPolicy(record: ExposureRecord, problem: string): Promise<WorkResult> {
    try {
      for (const name of this.#ruleNames(record.id)) await this.#deleteOwnedRule(name, record.id);
    } catch (error) {
      return this.#fail(record, error);
    }
    const message = `the exposure's spec is not allowed by this installation (${problem}); its firewall rules were removed. Change it with PATCH /exposures/${record.id}, or delete it.`;
    this.#log.warn({ exposure: record.id }, message);
    await this.#event(record, { type: 'Warning', reason: 'PolicyViolation', message });
    await this.#writeStatus(record, {
      state: 'Failed',
      status: 'False',
      reason: 'PolicyViolation',
      message,
      rules: [],
      failures: 0,
    });
    return { kind: 'recheck', afterMs: this.#settings.needsPersonRecheckMs };
  }

  /** Deletes the rules, then removes the finalizer so that Kubernetes lets the Service go. */
  async #finalize(record: ExposureRecord): Promise<WorkResult> {
    this.#unwanted.delete(record.id);
    try {
      for (const name of this.#ruleNames(record.id)) await this.#deleteOwnedRule(name, record.id);
    } catch (error) {
      return this.#fail(record, error, 'Deleting');
    }
    if (record.service.finalizers.includes(FIREWALL_FINALIZER)) {
      await this.#cluster.removeFinalizer(record.service, FIREWALL_FINALIZER);
      this.#log.info(
        { exposure: record.id, service: serviceKey(record.service) },
        'firewall rules deleted; Service released',
      );
    }
    return { kind: 'done' };
  }

  /**
   * Releases a terminating Service whose record cannot be read: its rules are found by the id label
   * if it is intact, else by listing this installation's rules for the Service's name; only rules
   * whose description proves they are ours are deleted.
   */
  async #finalizeUnreadable(service: ObservedService): Promise<WorkResult> {
    const clusterId = this.#settings.firewall.clusterId;
    const label = service.labels[EXPOSURE_ID_LABEL];
    try {
      if (label && isExposureId(label)) {
        for (const name of this.#ruleNames(label)) await this.#deleteOwnedRule(name, label);
      } else {
        const owner = `${service.namespace}/${service.name}`;
        for await (const rules of this.#rulePages()) {
          for (const rule of rules) {
            const ownership = parseOwnership(rule.description);
            if (ownership?.clusterId === clusterId && ownership.service === owner) {
              await this.#deleteOwnedRule(rule.name, ownership.exposureId as ExposureId);
            }
          }
        }
      }
    } catch (error) {
      this.#log.warn(
        { service: serviceKey(service), err: error },
        'could not delete the rules of an unreadable exposure',
      );
      return { kind: 'retry' };
    }
    await this.#cluster.removeFinalizer(service, FIREWALL_FINALIZER);
    this.#log.warn(
      { service: serviceKey(service) },
      'released a terminating Service whose exposure record was unreadable',
    );
    return { kind: 'done' };
  }

  /** Deletes the rules of an exposure whose Service vanished without us. */
  async #collect(id: ExposureId): Promise<WorkResult> {
    try {
      // The cache may lag behind: ask the API before deleting anything.
      const service = await this.#cluster.findServiceByExposureId(id);
      if (service && service.deletionTimestamp === undefined) return { kind: 'done' };
      for (const name of this.#ruleNames(id)) await this.#deleteOwnedRule(name, id);
    } catch (error) {
      this.#log.warn(
        { exposure: id, err: error },
        'could not collect the firewall rules of a deleted exposure',
      );
      return { kind: 'retry' };
    }
    return { kind: 'done' };
  }

  /** Every page of this installation's rules (their names carry its prefix): one list call each. */
  async *#rulePages(): AsyncGenerator<readonly ObservedFirewallRule[]> {
    const namePrefix = firewallRulePrefix(this.#settings.firewall.clusterId);
    let pageToken: string | undefined;
    do {
      const page = await this.#firewalls.listPage({
        namePrefix,
        maxResults: 500,
        ...(pageToken !== undefined && { pageToken }),
      });
      yield page.rules;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  async #deleteOwnedRule(name: string, id: ExposureId): Promise<void> {
    const placeholder = this.#placeholderRule(name);
    const observed = await this.#call('delete', placeholder, () => this.#firewalls.get(name));
    if (!observed) return;
    // Never touch a rule that does not prove, in its description, that it is ours.
    if (!isOwnedBy(observed.description, this.#settings.firewall.clusterId, id)) {
      this.#log.warn(
        { rule: name, exposure: id },
        'not deleting a firewall rule that this exposure does not own',
      );
      return;
    }
    await this.#call('delete', placeholder, () => this.#firewalls.delete(name));
    this.#log.info({ rule: name, exposure: id }, 'firewall rule deleted');
  }

  #ruleNames(id: ExposureId): string[] {
    const clusterId = this.#settings.firewall.clusterId;
    return [firewallRuleName(clusterId, id, 'IPv4'), firewallRuleName(clusterId, id, 'IPv6')];
  }

  #placeholderRule(name: string): FirewallRuleSpec {
    return {
      name,
      description: '',
      network: '',
      priority: 0,
      direction: 'INGRESS',
      sourceRanges: [],
      allowed: [],
      targetTags: [],
      targetServiceAccounts: [],
      disabled: false,
    };
  }

  async #call<T>(action: FirewallAction, rule: FirewallRuleSpec, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StepFailure(action, rule, error);
    }
  }

  async #fail(
    record: ExposureRecord,
    error: unknown,
    state: 'Failed' | 'Deleting' = 'Failed',
  ): Promise<WorkResult> {
    const failures =
      (record.firewallStatus?.specHash === record.specHash ? record.firewallStatus.failures : 0) + 1;
    let reason: string;
    let message: string;
    let needsPerson: boolean;
    let notBeforeMs: number | undefined;
    if (error instanceof RuleNameTaken) {
      const project = this.#firewalls.project;
      reason = 'RuleNameTaken';
      message = `a firewall rule named ${error.rule.name} exists in project ${project} but its description does not name this exposure, so exposure-api will not adopt it; delete it (gcloud compute firewall-rules delete ${error.rule.name} --project=${project}) or delete this exposure`;
      needsPerson = true;
    } else if (error instanceof StepFailure) {
      const failure = describeFirewallFailure(error.cause, error.action, error.rule, this.#firewalls.project);
      ({ reason, message, needsPerson } = failure);
      notBeforeMs = failure.notBeforeMs;
    } else {
      reason = 'ReconcileError';
      message = error instanceof Error ? error.message : String(error);
      needsPerson = false;
    }
    this.#log.warn({ exposure: record.id, reason, failures }, message);
    await this.#event(record, {
      type: 'Warning',
      reason: state === 'Deleting' ? 'FirewallDeleteFailed' : 'FirewallFailed',
      message,
    });
    try {
      await this.#writeStatus(record, {
        state: state === 'Deleting' ? 'Deleting' : needsPerson ? 'Failed' : 'Pending',
        status: 'False',
        reason,
        message,
        rules: record.firewallStatus?.rules ?? [],
        failures,
      });
    } catch (writeError) {
      this.#log.warn({ exposure: record.id, err: writeError }, 'could not record the firewall status');
    }
    if (needsPerson) return { kind: 'recheck', afterMs: this.#settings.needsPersonRecheckMs };
    return notBeforeMs === undefined ? { kind: 'retry' } : { kind: 'retry', notBeforeMs };
  }

  async #writeStatus(
    record: ExposureRecord,
    next: Pick<FirewallStatusRecord, 'state' | 'rules' | 'failures'> & {
      status: 'True' | 'False' | 'Unknown';
      reason: string;
      message: string;
    },
  ): Promise<void> {
    const previous = record.firewallStatus;
    const nowIso = new Date(this.#clock.now()).toISOString();
    const transitioned =
      !previous || previous.condition.status !== next.status || previous.condition.reason !== next.reason;
    const status: FirewallStatusRecord = {
      specHash: record.specHash,
      generation: record.generation,
      state: next.state,
      condition: {
        status: next.status,
        reason: next.reason,
        message: next.message,
        lastTransitionTime: transitioned ? nowIso : previous.condition.lastTransitionTime,
      },
      rules: next.rules,
      everReady: (previous?.everReady ?? false) || next.state === 'UpToDate',
      failures: next.failures,
      lastAttemptTime: nowIso,
    };
    if (sameFirewallStatus(previous, status)) return;
    await this.#cluster.writeFirewallStatus(record.service, JSON.stringify(status));
  }

  async #announce(record: ExposureRecord, rule: FirewallRuleSpec, step: RuleStep): Promise<void> {
    if (step === 'unchanged') return;
    const allowed = describeAllowed([rule]);
    const text: Record<Exclude<RuleStep, 'unchanged'>, ClusterEventRecord> = {
      created: {
        type: 'Normal',
        reason: 'FirewallCreated',
        message: `created firewall rule ${rule.name} allowing ${allowed} from ${rule.sourceRanges.join(', ')}`,
      },
      updated: {
        type: 'Normal',
        reason: 'FirewallUpdated',
        message: `updated firewall rule ${rule.name} to the new spec`,
      },
      repaired: {
        type: 'Warning',
        reason: 'FirewallRepaired',
        message: `firewall rule ${rule.name} was deleted or edited outside exposure-api; restored it (allowing ${allowed} from ${rule.sourceRanges.join(', ')})`,
      },
    };
    this.#log.info({ exposure: record.id, rule: rule.name, step }, text[step].message);
    await this.#event(record, text[step]);
  }

  async #event(record: ExposureRecord, event: ClusterEventRecord): Promise<void> {
    try {
      await this.#cluster.recordEvent(record.service, event);
    } catch (error) {
      // Events are for people; failing to record one must not fail the reconciliation.
      this.#log.warn({ exposure: record.id, err: error }, 'could not record a Kubernetes event');
    }
  }
}

/** The parts of a Service that matter to the reconciler (everything but its own status annotation). */
function fingerprint(service: ObservedService): string {
  const { [FIREWALL_STATUS_ANNOTATION]: _status, ...annotations } = service.annotations;
  return JSON.stringify([
    annotations,
    service.ports,
    service.deletionTimestamp ?? null,
    service.finalizers,
    service.labels,
  ]);
}

function describeAllowed(rules: readonly FirewallRuleSpec[]): string {
  const ports = new Set(
    rules.flatMap((rule) =>
      rule.allowed.flatMap((entry) => entry.ports.map((p) => `${entry.protocol}:${p}`)),
    ),
  );
  return [...ports].join(', ');
}

function readExposureRecordOr(service: ObservedService, fallback: ExposureRecord): ExposureRecord {
  const read = readExposureRecord(service);
  return read.ok ? read.record : fallback;
}
