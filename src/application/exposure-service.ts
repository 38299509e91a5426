// The use cases of the API: create, read, list and delete exposures. Writes go to the Kubernetes
// API (the Service is the record); GCE is never called on the request path — the reconciler does
// that. Reads are served from caches.
import { createHash } from 'node:crypto';
import type { ObservedService, ServiceRef } from '../domain/cluster-objects.ts';
import { exposureIdTime, isExposureId, newExposureId } from '../domain/exposure-id.ts';
import {
  type ExposureRecord,
  type IdempotencyRecord,
  isTerminating,
  serviceManifestFor,
} from '../domain/exposure-record.ts';
import { acceptCreateRequest, applyMergePatch, type SpecRules } from '../domain/exposure-spec.ts';
import { matchesSelector, parseLabelSelector } from '../domain/label-selector.ts';
import { canonicalJson, etagOf, specHash } from '../domain/spec-hash.ts';
import { NO_USAGE, usageOfSpec } from '../domain/usage.ts';
import type { UsageChange } from '../domain/usage-ledger.ts';
import { invalid, type Violation } from '../domain/violation.ts';
import type {
  CreateExposureRequest,
  Exposure,
  ExposureList,
  ListExposuresQuery,
  PatchExposureRequest,
} from '../schemas/exposure.ts';
import type { ServiceEventList } from '../schemas/service-events.ts';
import { CacheFreshness } from './cache-freshness.ts';
import { mapClusterWriteError } from './cluster-errors.ts';
import type { ExposureIndex } from './exposure-index.ts';
import { ExposureLookups } from './exposure-lookups.ts';
import type { ExposureEncoder, ExposureViews } from './exposure-views.ts';
import { StaticAuthorizer } from './identity/static-authorizer.ts';
import type { InstallationLimits } from './installation-limits.ts';
import { KeyedSerializer } from './keyed-serializer.ts';
import type { Authorizer, ExposureVerb } from './ports/authorizer.ts';
import type { Clock } from './ports/clock.ts';
import { type Cluster, ClusterError } from './ports/cluster.ts';
import type { Principal } from './principal.ts';
import { ExposureProblem } from './problems.ts';

export interface ExposureServiceSettings {
  clusterId: string;
  spec: SpecRules;
  /** The namespaces the installation manages; undefined: all. */
  namespaces?: readonly string[];
}

/** Something that reconciles an exposure soon (the reconciler, when this replica runs it). */
export interface ReconcileTrigger {
  enqueue(ref: ServiceRef): void;
}

export interface ExposureWithEtag {
  exposure: Exposure;
  etag: string;
}

/** A full read's answer as it is sent (see ExposureViews.encoded). */
export interface EncodedExposureWithEtag {
  body: string;
  etag: string;
}

export interface ExposureIdentity {
  id: string;
  namespace: string;
  name: string;
}

export type DeleteOutcome =
  | { state: 'deleted'; target: ExposureIdentity }
  | { state: 'deleting'; target: ExposureIdentity; exposure: Exposure; etag: string };

const SETTLED_POLL_MS = 200;
/** A list scan gives other requests a turn after this many exposures. */
const LIST_YIELD_EVERY = 50;
/**
 * A PATCH that keeps meeting concurrent changes gives up (503, retry) after this many tries. Most
 * conflicts are the reconciler's own status writes, which follow every change of the spec: a few
 * tries spaced out with jitter let a PATCH land between them even on a slow apiserver.
 */
const PATCH_ATTEMPTS = 8;
/** Ceiling of the jittered pause before the second and later retries of a conflicting PATCH. */
const PATCH_RETRY_MAX_PAUSE_MS = 200;
/** How long after its creation an exposure may be missing from a replica's cache. */
const CACHE_MISS_WINDOW_MS = 2 * 60_000;
/** Replicas' clocks may disagree a little about when an id was made. */
const CLOCK_SKEW_MS = 60_000;
/** `cluster.staleAfterSeconds` when none is given. */
const DEFAULT_STALE_AFTER_SECONDS = 60;
/** An events cache that has not synced yet is listing: a retry soon finds it synced. */
const RETRY_EVENTS_AFTER_SECONDS = 2;

export class ExposureService {
  readonly #cluster: Cluster;
  readonly #index: ExposureIndex;
  readonly #views: ExposureViews;
  readonly #settings: ExposureServiceSettings;
  readonly #clock: Clock;
  readonly #reconcile: ReconcileTrigger;
  readonly #keyLocks = new KeyedSerializer();
  /** Cache misses and conflicts asked of the API, coalesced and bounded. */
  readonly #lookups: ExposureLookups;
  /** The installation's own limits; none when absent. */
  readonly #limits: InstallationLimits | undefined;
  readonly #freshness: CacheFreshness;
  /** Who may do what where: static namespaces, or Kubernetes RBAC through SubjectAccessReviews. */
  readonly #authorizer: Authorizer;

  constructor(deps: {
    cluster: Cluster;
    index: ExposureIndex;
    views: ExposureViews;
    settings: ExposureServiceSettings;
    clock: Clock;
    reconcile: ReconcileTrigger;
    lookups?: ExposureLookups;
    limits?: InstallationLimits;
    freshness?: CacheFreshness;
    authorizer?: Authorizer;
  }) {
    this.#cluster = deps.cluster;
    this.#index = deps.index;
    this.#views = deps.views;
    this.#settings = deps.settings;
    this.#clock = deps.clock;
    this.#reconcile = deps.reconcile;
    this.#lookups = deps.lookups ?? new ExposureLookups(deps.cluster);
    this.#limits = deps.limits;
    this.#freshness =
      deps.freshness ?? new CacheFreshness(deps.cluster, deps.clock, DEFAULT_STALE_AFTER_SECONDS);
    this.#authorizer = deps.authorizer ?? new StaticAuthorizer();
  }

  /**
   * Called before a read from the caches: a `caches-not-synced` problem before they have synced
   * (they would answer from nothing); once their watch has been broken too long, how many seconds
   * old their data may be.
   */
  cacheAge(): number | undefined {
    return this.#freshness.forRead();
  }

  /** The recent Kubernetes Events of an exposure's Service, newest first, from a cache. */
  async events(
    principal: Principal,
    id: string,
    options: { limit?: number } = {},
  ): Promise<ServiceEventList> {
    const record = await this.#find(principal, id);
    const events = this.#cluster.serviceEvents(record.service.uid);
    if (events === undefined) {
      throw new ExposureProblem(
        'caches-not-synced',
        "this replica has not yet read the cluster's events; retry in a moment",
        { retryAfterSeconds: RETRY_EVENTS_AFTER_SECONDS },
      );
    }
    return {
      items: events.slice(0, options.limit ?? events.length).map(({ serviceUid: _uid, ...event }) => event),
    };
  }

  /**
   * Creates an exposure. With an Idempotency-Key (scoped to the caller), a repeat of the same
   * request answers the exposure it created; the same key with another body is refused.
   */
  async create(
    principal: Principal,
    request: CreateExposureRequest,
    options: { idempotencyKey?: string } = {},
  ): Promise<ExposureWithEtag> {
    if (!(await this.#authorizer.allowed(principal, 'create', request.namespace))) {
      throw new ExposureProblem('forbidden-namespace', `you may not use namespace '${request.namespace}'`, {
        violations: [invalid('/namespace', `not one of your namespaces`)],
      });
    }
    const managed = this.#settings.namespaces;
    if (managed && !managed.includes(request.namespace)) {
      throw new ExposureProblem(
        'forbidden-namespace',
        `this installation manages only the namespaces ${managed.join(', ')}`,
        { violations: [invalid('/namespace', 'not a namespace this installation manages')] },
      );
    }
    if (options.idempotencyKey === undefined) return this.#create(principal, request, undefined);
    const idempotency = {
      keyHash: sha256(`${principal.subject}\n${options.idempotencyKey}`),
      requestHash: sha256(canonicalJson(request)),
    };
    // Requests with the same key queue behind each other, so the second sees what the first made.
    return this.#keyLocks.run(idempotency.keyHash, async () => {
      const earlier = this.#index.byIdempotencyKey(idempotency.keyHash);
      if (earlier) return this.#replay(principal, earlier, idempotency);
      return this.#create(principal, request, idempotency);
    });
  }

  async #create(
    principal: Principal,
    request: CreateExposureRequest,
    idempotency: IdempotencyRecord | undefined,
  ): Promise<ExposureWithEtag> {
    const decision = acceptCreateRequest(request, this.#settings.spec, this.#clock.now());
    if (!decision.ok) throw problemForViolations(decision.violations);
    const id = newExposureId(this.#clock.now());
    const manifest = serviceManifestFor({
      id,
      clusterId: this.#settings.clusterId,
      spec: decision.spec,
      createdBy: principal.subject,
      generation: 1,
      ...(idempotency && { idempotency }),
    });
    // The installation's limits are checked (and the usage counted in) before anything is written.
    const usage: UsageChange = {
      id,
      namespace: decision.spec.namespace,
      subject: principal.subject,
      before: NO_USAGE,
      after: usageOfSpec(decision.spec),
      generation: 1,
    };
    await this.#reserve(usage, principal);
    let created: ObservedService;
    try {
      created = await this.#cluster.createService(manifest);
    } catch (error) {
      await this.#limits?.revert(usage);
      // Another replica may have created it for the same key a moment ago.
      const raced = idempotency && error instanceof ClusterError && error.kind === 'AlreadyExists';
      const existing = raced ? await this.#cluster.readService(manifest).catch(() => undefined) : undefined;
      const existingRecord = existing && this.#index.upsert(existing);
      if (existingRecord?.idempotency?.keyHash === idempotency?.keyHash && existingRecord && idempotency) {
        return this.#replay(principal, existingRecord, idempotency);
      }
      throw await mapClusterWriteError(error, {
        holders: this.#lookups,
        principal,
        index: this.#index,
        ref: manifest,
      });
    }
    // This replica answers reads of the new exposure at once, before its informer catches up.
    const record = this.#index.upsert(created);
    if (!record) throw new Error('a just-created Service did not read back as an exposure');
    this.#reconcile.enqueue(manifest);
    return { exposure: await this.#views.full(record), etag: etagOf(record.specHash) };
  }

  async #replay(
    principal: Principal,
    record: ExposureRecord,
    idempotency: IdempotencyRecord,
  ): Promise<ExposureWithEtag> {
    if (record.idempotency?.requestHash !== idempotency.requestHash) {
      throw new ExposureProblem(
        'idempotency-key-reused',
        'this Idempotency-Key was used before with a different request; use a new key for a new request',
      );
    }
    if (!(await this.#authorizer.allowed(principal, 'get', record.spec.namespace))) {
      throw new ExposureProblem('exposure-not-found', `exposure ${record.id} does not exist`);
    }
    return { exposure: await this.#views.full(record), etag: etagOf(record.specHash) };
  }

  /**
   * Changes the source ranges, ports, labels or expiry with a JSON merge patch. The result is
   * validated like a create; the Service is updated by server-side apply and the reconciler
   * patches the rule in place. `ifMatch` (an ETag) makes the change conditional.
   */
  async patch(
    principal: Principal,
    id: string,
    patch: PatchExposureRequest,
    options: { ifMatch?: string } = {},
  ): Promise<ExposureWithEtag> {
    let record = await this.#find(principal, id, 'patch');
    for (let attempt = 1; ; attempt++) {
      checkIfMatch(options.ifMatch, record);
      if (isTerminating(record)) {
        throw new ExposureProblem('exposure-deleting', `exposure ${id} is being deleted and cannot change`);
      }
      const { request, carriedExpiresAt } = applyMergePatch(record.spec, patch);
      const decision = acceptCreateRequest(request, this.#settings.spec, this.#clock.now());
      if (!decision.ok) throw problemForViolations(decision.violations);
      const spec =
        carriedExpiresAt === undefined ? decision.spec : { ...decision.spec, expiresAt: carriedExpiresAt };
      if (specHash(spec) === record.specHash) {
        return { exposure: await this.#views.full(record), etag: etagOf(record.specHash) };
      }
      const manifest = serviceManifestFor({
        id: record.id,
        clusterId: record.clusterId,
        spec,
        createdBy: record.createdBy,
        generation: record.generation + 1,
        ...(record.idempotency && { idempotency: record.idempotency }),
      });
      const usage: UsageChange = {
        id: record.id,
        namespace: record.spec.namespace,
        subject: record.createdBy,
        before: usageOfSpec(record.spec),
        after: usageOfSpec(spec),
        generation: record.generation + 1,
      };
      const counted = !sameUsage(usage);
      if (counted) await this.#reserve(usage, principal);
      try {
        // The resourceVersion makes the change conditional on the Service as it was read here: a
        // concurrent change (another PATCH, on any replica) is a Conflict, never silently undone.
        const applied = await this.#cluster.applyServiceSpec(manifest, {
          uid: record.service.uid,
          resourceVersion: record.service.resourceVersion,
        });
        const updated = this.#index.upsert(applied) ?? record;
        this.#reconcile.enqueue(manifest);
        return { exposure: await this.#views.full(updated), etag: etagOf(updated.specHash) };
      } catch (error) {
        if (counted) await this.#limits?.revert(usage);
        const conflict = error instanceof ClusterError && error.kind === 'Conflict';
        if (!conflict || attempt >= PATCH_ATTEMPTS) {
          throw await mapClusterWriteError(error, {
            holders: this.#lookups,
            principal,
            index: this.#index,
            ref: manifest,
          });
        }
      }
      // Read the Service again and start over from it: If-Match and the merge apply to what is there now.
      if (attempt > 1) await pause(Math.random() * Math.min(PATCH_RETRY_MAX_PAUSE_MS, 25 * 2 ** attempt));
      record = await this.#reread(principal, record);
    }
  }

  async #reread(principal: Principal, record: ExposureRecord): Promise<ExposureRecord> {
    let service: ObservedService | undefined;
    try {
      service = await this.#cluster.readService(record.service);
    } catch (error) {
      throw await mapClusterWriteError(error, {
        holders: this.#lookups,
        principal,
        authorizer: this.#authorizer,
        index: this.#index,
      });
    }
    const fresh = service && service.uid === record.service.uid ? this.#index.upsert(service) : undefined;
    if (!fresh) throw new ExposureProblem('exposure-not-found', `exposure ${record.id} does not exist`);
    return fresh;
  }

  /** The record of an exposure the caller may see; any other id is `exposure-not-found`. */
  find(principal: Principal, id: string): Promise<ExposureRecord> {
    return this.#find(principal, id);
  }

  async get(
    principal: Principal,
    id: string,
    options: { refresh?: boolean; endpointLimit?: number } = {},
  ): Promise<ExposureWithEtag> {
    const record = await this.#find(principal, id);
    return { exposure: await this.#views.full(record, options), etag: etagOf(record.specHash) };
  }

  /**
   * `get`, serialized by `encode`: what GET /exposures/{id} sends when the caches are fresh. A
   * repeated read of an unchanged exposure, allowed by a decision already at hand, is answered
   * without a promise: on the cached read path each await was a turn of the microtask queue and
   * garbage for the collector.
   */
  getEncoded(
    principal: Principal,
    id: string,
    options: { refresh?: boolean; endpointLimit?: number },
    encode: ExposureEncoder,
  ): EncodedExposureWithEtag | Promise<EncodedExposureWithEtag> {
    const kept = this.keptEncoded(principal, id, options);
    if (kept !== undefined) return kept;
    const record = this.#index.get(id);
    if (!record) return this.#encoded(this.#find(principal, id), options, encode);
    return this.#encoded(
      Promise.resolve(this.#authorizer.allowed(principal, 'get', record.spec.namespace)).then((yes) => {
        if (!yes) throw exposureNotFound(id);
        return record;
      }),
      options,
      encode,
    );
  }

  /**
   * What `getEncoded` answers at once, when it can: a repeated read of an unchanged exposure with
   * fresh probe results, by a caller whose permission is already decided. Undefined otherwise, with
   * nothing started (no review, no probe): `getEncoded` does that work.
   */
  keptEncoded(
    principal: Principal,
    id: string,
    options: { refresh?: boolean; endpointLimit?: number },
  ): EncodedExposureWithEtag | undefined {
    const record = this.#index.get(id);
    if (!record || this.#authorizer.decidedNow(principal, 'get', record.spec.namespace) !== true)
      return undefined;
    const kept = this.#views.kept(record, options);
    return kept === undefined ? undefined : { body: kept, etag: etagOf(record.specHash) };
  }

  async #encoded(
    found: Promise<ExposureRecord>,
    options: { refresh?: boolean; endpointLimit?: number },
    encode: ExposureEncoder,
  ): Promise<EncodedExposureWithEtag> {
    const record = await found;
    return { body: await this.#views.encoded(record, options, encode), etag: etagOf(record.specHash) };
  }

  /**
   * A page of exposures. Summaries are computed as the scan goes; on a large installation that is
   * long work, so the scan yields to the event loop now and then instead of blocking every other
   * request (and the lease renewals).
   */
  async list(principal: Principal, query: ListExposuresQuery): Promise<ExposureList> {
    const limit = query.limit ?? 50;
    let requirements: ReturnType<typeof parseLabelSelector> | undefined;
    if (query.labelSelector !== undefined) {
      requirements = parseLabelSelector(query.labelSelector);
      if (!requirements.ok) {
        throw new ExposureProblem('validation-failed', 'the label selector cannot be parsed', {
          violations: [invalid('/labelSelector', requirements.detail)],
          location: 'query',
        });
      }
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const items: ExposureList['items'] = [];
    let nextCursor: string | undefined;
    let sinceYield = 0;
    // One decision per namespace met in this scan, not one per exposure.
    const listable = new Map<string, boolean>();
    for (const record of this.#index.after(after)) {
      if (++sinceYield >= LIST_YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (query.namespace !== undefined && record.spec.namespace !== query.namespace) continue;
      if (!(await this.#mayList(listable, principal, record.spec.namespace))) continue;
      if (requirements?.ok && !matchesSelector(record.service.labels, requirements.requirements)) continue;
      const summary = this.#views.summary(record);
      if (query.phase !== undefined && summary.status.phase !== query.phase) continue;
      if (items.length === limit) {
        nextCursor = encodeCursor(items[items.length - 1]?.id ?? record.id);
        break;
      }
      items.push(summary);
    }
    return nextCursor === undefined ? { items } : { items, nextCursor };
  }

  /**
   * Requests deletion (the reconciler deletes the rules, then lets the Service go) and waits up
   * to `waitMs` for it to finish.
   */
  async delete(
    principal: Principal,
    id: string,
    options: { waitMs: number; ifMatch?: string },
  ): Promise<DeleteOutcome> {
    const record = await this.#find(principal, id, 'delete');
    checkIfMatch(options.ifMatch, record);
    if (!isTerminating(record)) {
      try {
        const result = await this.#cluster.deleteService(record.service, { uid: record.service.uid });
        if (result.outcome === 'terminating') this.#index.upsert(result.service);
        await this.#limits?.release({
          id: record.id,
          namespace: record.spec.namespace,
          subject: record.createdBy,
          before: usageOfSpec(record.spec),
          after: NO_USAGE,
          generation: record.generation,
        });
      } catch (error) {
        throw await mapClusterWriteError(error, {
          holders: this.#lookups,
          principal,
          index: this.#index,
          ref: record.service,
        });
      }
      this.#reconcile.enqueue(record.service);
    }
    const target = { id: record.id, namespace: record.spec.namespace, name: record.spec.name };
    const gone = await this.#waitFor(id, options.waitMs, (current) => current === undefined);
    if (gone) return { state: 'deleted', target };
    const current = this.#index.get(id) ?? record;
    return {
      state: 'deleting',
      target,
      exposure: await this.#views.full(current),
      etag: etagOf(current.specHash),
    };
  }

  /** Waits until the exposure is Ready or Failed (or `waitMs` passed), then reads it. */
  async waitUntilSettled(principal: Principal, id: string, waitMs: number): Promise<ExposureWithEtag> {
    const deadline = this.#clock.now() + waitMs;
    for (;;) {
      const result = await this.get(principal, id);
      const phase = result.exposure.status.phase;
      if (phase === 'Ready' || phase === 'Failed' || this.#clock.now() >= deadline) return result;
      await this.#waitFor(id, Math.min(SETTLED_POLL_MS, deadline - this.#clock.now()), () => false);
    }
  }

  /** Resolves true as soon as `done(record)` holds (checked on every change), false at the deadline. */
  #waitFor(
    id: string,
    waitMs: number,
    done: (record: ExposureRecord | undefined) => boolean,
  ): Promise<boolean> {
    if (done(this.#index.get(id))) return Promise.resolve(true);
    if (waitMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(result);
      };
      const timer = setTimeout(() => finish(false), waitMs);
      const unsubscribe = this.#index.onChange((changed) => {
        if (changed === id && done(this.#index.get(id))) finish(true);
      });
    });
  }

  /** An exposure the caller may see; anything else (including other tenants') is a 404. */
  /** Whether an id is young enough that the informer may not have delivered its Service yet. */
  #mayBeUncached(id: string): boolean {
    if (!isExposureId(id)) return false;
    const age = this.#clock.now() - exposureIdTime(id);
    return age > -CLOCK_SKEW_MS && age < CACHE_MISS_WINDOW_MS;
  }

  /** Counts a change in against the installation's limits; a refusal or a ledger failure is the caller's answer. */
  async #reserve(change: UsageChange, principal: Principal): Promise<void> {
    try {
      await this.#limits?.reserve(change);
    } catch (error) {
      if (error instanceof ExposureProblem) throw error;
      throw await mapClusterWriteError(error, {
        holders: this.#lookups,
        principal,
        authorizer: this.#authorizer,
        index: this.#index,
      });
    }
  }

  async #mayList(known: Map<string, boolean>, principal: Principal, namespace: string): Promise<boolean> {
    let allowed = known.get(namespace);
    if (allowed === undefined) {
      allowed = await this.#authorizer.allowed(principal, 'list', namespace);
      known.set(namespace, allowed);
    }
    return allowed;
  }

  async #find(principal: Principal, id: string, verb: ExposureVerb = 'get'): Promise<ExposureRecord> {
    let record = this.#index.get(id);
    if (!record && this.#mayBeUncached(id)) {
      // Created through another replica a moment ago? Ask the API once before saying 404. Older ids
      // would be in the cache by now: asking for them would only let callers load the apiserver.
      let service: ObservedService | undefined;
      try {
        service = await this.#lookups.findByExposureId(id);
      } catch (error) {
        throw await mapClusterWriteError(error, {
          holders: this.#lookups,
          principal,
          authorizer: this.#authorizer,
          index: this.#index,
        });
      }
      if (service) record = this.#index.upsert(service);
    }
    if (!record || !(await this.#authorizer.allowed(principal, verb, record.spec.namespace))) {
      throw exposureNotFound(id);
    }
    return record;
  }
}

/** What a caller is told of an id it may not see, and of one that does not exist: the same. */
function exposureNotFound(id: string): ExposureProblem {
  return new ExposureProblem('exposure-not-found', `exposure ${id} does not exist`);
}

/** A change that holds as much of everything as before needs no ledger write. */
function sameUsage(change: UsageChange): boolean {
  return (Object.keys(change.before) as (keyof UsageChange['before'])[]).every(
    (resource) => change.before[resource] === change.after[resource],
  );
}

function problemForViolations(violations: Violation[]): ExposureProblem {
  const invalidOnes = violations.filter((v) => v.kind === 'invalid');
  if (invalidOnes.length > 0) {
    return new ExposureProblem('validation-failed', 'the request is not valid', { violations });
  }
  return new ExposureProblem(
    'policy-violation',
    'the request is valid but not allowed by this installation',
    {
      violations,
    },
  );
}

function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string') return decoded.after;
  } catch {
    // fall through to the problem below
  }
  throw new ExposureProblem('validation-failed', 'the cursor is not one this API returned', {
    violations: [invalid('/cursor', 'pass the nextCursor of a previous page unchanged')],
    location: 'query',
  });
}

/** `If-Match` (RFC 9110): `*` or one of the listed ETags must be the current one. */
function checkIfMatch(ifMatch: string | undefined, record: ExposureRecord): void {
  if (ifMatch === undefined) return;
  const current = etagOf(record.specHash);
  const listed = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (listed.includes('*') || listed.includes(current)) return;
  throw new ExposureProblem(
    'precondition-failed',
    `the exposure's spec changed: its ETag is now ${current}; read it again and retry`,
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
