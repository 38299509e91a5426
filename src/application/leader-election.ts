// Leader election over a coordination.k8s.io Lease, with client-go's semantics: only the leader
// reconciles (writes to GCE); it renews the lease every retry period, and if it cannot renew for
// `renewDeadline` it stops leading — before the lease (`leaseDuration` > `renewDeadline`) could be
// taken by another replica. Expiry is judged by this replica's own clock from when it last saw
// the lease change, so clock skew between nodes does not matter. On shutdown the lease is released.
import type { Clock } from './ports/clock.ts';
import { ClusterError } from './ports/cluster.ts';
import type { LeaseRecord, Leases, ObservedLease } from './ports/leases.ts';
import type { Logger } from './ports/log.ts';

export interface LeaderElectionSettings {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface LeadershipCallbacks {
  /**
   * Called when this replica finds the lease free and is about to take it, before it does: what
   * leading needs and takes long to load (blocking the event loop) is loaded here, while no renew
   * deadline runs. The lease is taken on the next attempt, if it is still free then.
   */
  prepareToLead?(): Promise<void>;
  onStartedLeading(): void | Promise<void>;
  /** Must stop every GCE write before it resolves. */
  onStoppedLeading(): void | Promise<void>;
  /**
   * Called once, when this replica has led and then sees another replica holding the lease (not
   * when it merely could not renew for a while and takes the lease back).
   */
  onSucceeded?(): void;
  /** What the leader publishes on the Lease with each renewal (no write of its own). */
  leaseAnnotations?(): Record<string, string>;
  /** The Lease's annotations, each time this replica reads it (every retry period). */
  onLeaseObserved?(annotations: Readonly<Record<string, string>>): void;
}

export class LeaderElector {
  readonly #leases: Leases;
  readonly #clock: Clock;
  readonly #settings: LeaderElectionSettings;
  readonly #callbacks: LeadershipCallbacks;
  readonly #log: Logger;
  #leading = false;
  #lastRenewMs = 0;
  #observed: { key: string; atMs: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Steps down at the renew deadline even while a tick is stuck in a lease call. */
  #deadline: NodeJS.Timeout | undefined;
  #stopped = true;
  #prepared = false;
  #hasLed = false;
  #successionReported = false;
  #cycle: Promise<void> = Promise.resolve();

  constructor(
    leases: Leases,
    clock: Clock,
    settings: LeaderElectionSettings,
    callbacks: LeadershipCallbacks,
    log: Logger,
  ) {
    if (settings.renewDeadlineMs >= settings.leaseDurationMs) {
      throw new Error('the renew deadline must be shorter than the lease duration');
    }
    this.#leases = leases;
    this.#clock = clock;
    this.#settings = settings;
    this.#callbacks = callbacks;
    this.#log = log;
  }

  /**
   * Leading, and renewed recently enough. Judged by time, not only by the last tick: a lease call
   * that hangs must not keep an old leader writing after another replica could have taken over.
   */
  isLeader(): boolean {
    return this.#leading && this.#clock.now() - this.#lastRenewMs < this.#settings.renewDeadlineMs;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops leading (waiting for the writes to stop), then releases the lease for a fast takeover. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#deadline) clearTimeout(this.#deadline);
    await this.#cycle;
    if (!this.#leading) return;
    await this.#stepDown('shutting down');
    try {
      const current = await this.#leases.get(this.#settings.namespace, this.#settings.name);
      if (current?.holderIdentity === this.#settings.identity) {
        await this.#leases.update(
          this.#settings.namespace,
          this.#settings.name,
          {
            leaseDurationSeconds: 1,
            leaseTransitions: current.leaseTransitions,
            ...(current.annotations && { annotations: current.annotations }),
          },
          current.resourceVersion,
        );
      }
    } catch (error) {
      this.#log.warn(
        { err: error },
        'could not release the lease; another replica takes over when it expires',
      );
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#cycle = this.#tick().finally(() => this.#schedule(this.#settings.retryPeriodMs));
    }, delayMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    let held = false;
    try {
      held = await this.#tryAcquireOrRenew();
    } catch (error) {
      this.#log.warn({ err: error }, 'lease acquire/renew failed');
    }
    const now = this.#clock.now();
    if (held) {
      this.#lastRenewMs = now;
      this.#armDeadline();
      if (!this.#leading && !this.#stopped) {
        this.#leading = true;
        this.#hasLed = true;
        this.#log.info(
          { identity: this.#settings.identity },
          'became the leader: reconciling firewall rules',
        );
        await this.#callbacks.onStartedLeading();
      }
    } else if (this.#leading && now - this.#lastRenewMs >= this.#settings.renewDeadlineMs) {
      await this.#stepDown('could not renew the lease in time');
    } else if (this.#leading && !held) {
      // Someone else holds it now (we saw their record): stop at once.
      const current = await this.#leases
        .get(this.#settings.namespace, this.#settings.name)
        .catch(() => undefined);
      if (current && current.holderIdentity !== this.#settings.identity) {
        await this.#stepDown('the lease has another holder');
        this.#reportSuccession();
      }
    }
  }

  #armDeadline(): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    const remainingMs = this.#lastRenewMs + this.#settings.renewDeadlineMs - this.#clock.now();
    this.#deadline = setTimeout(() => {
      if (!this.#leading) return;
      if (this.#clock.now() - this.#lastRenewMs >= this.#settings.renewDeadlineMs) {
        void this.#stepDown('could not renew the lease in time');
      } else {
        // Timers run on the monotonic clock and may fire a millisecond early by the wall clock
        // the deadline is measured with; while a tick hangs nothing else would check again.
        this.#armDeadline();
      }
    }, Math.max(remainingMs, 0) + 1);
    this.#deadline.unref();
  }

  #reportSuccession(): void {
    if (this.#successionReported || this.#stopped) return;
    this.#successionReported = true;
    this.#callbacks.onSucceeded?.();
  }

  async #stepDown(reason: string): Promise<void> {
    if (!this.#leading) return;
    this.#leading = false;
    if (this.#deadline) clearTimeout(this.#deadline);
    this.#log.warn({ identity: this.#settings.identity, reason }, 'stopped leading');
    await this.#callbacks.onStoppedLeading();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.#settings;
    const now = this.#clock.now();
    const nowText = microTime(now);
    const duration = Math.ceil(this.#settings.leaseDurationMs / 1000);
    const current = await this.#leases.get(namespace, name);
    if (current?.annotations) this.#callbacks.onLeaseObserved?.(current.annotations);
    const published = this.#callbacks.leaseAnnotations?.() ?? {};
    const free =
      !current ||
      (current.holderIdentity !== identity && (!current.holderIdentity || this.#expired(current, now)));
    if (free && !this.#prepared && this.#callbacks.prepareToLead) {
      await this.#callbacks.prepareToLead();
      this.#prepared = true;
      // Time has passed: look at the lease again on the next attempt.
      return false;
    }
    if (!current) {
      try {
        await this.#leases.create(namespace, name, {
          holderIdentity: identity,
          leaseDurationSeconds: duration,
          acquireTime: nowText,
          renewTime: nowText,
          leaseTransitions: 0,
          annotations: published,
        });
        return true;
      } catch (error) {
        if (error instanceof ClusterError && error.kind === 'AlreadyExists') return false;
        throw error;
      }
    }
    const ours = current.holderIdentity === identity;
    if (!ours && current.holderIdentity && !this.#expired(current, now)) {
      if (this.#hasLed && !this.#leading) this.#reportSuccession();
      return false;
    }
    const next: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: duration,
      acquireTime: ours && current.acquireTime ? current.acquireTime : nowText,
      renewTime: nowText,
      leaseTransitions: ours ? current.leaseTransitions : current.leaseTransitions + 1,
      // A new leader keeps what the last one published until it has something newer to say.
      annotations: { ...current.annotations, ...published },
    };
    try {
      await this.#leases.update(namespace, name, next, current.resourceVersion);
      return true;
    } catch (error) {
      if (error instanceof ClusterError && error.kind === 'Conflict') return false;
      throw error;
    }
  }

  /** Expired by our own clock: the record has not changed for a whole lease duration. */
  #expired(lease: ObservedLease, nowMs: number): boolean {
    const key = `${lease.holderIdentity}|${lease.renewTime}|${lease.resourceVersion}`;
    if (this.#observed?.key !== key) this.#observed = { key, atMs: nowMs };
    const durationMs = lease.leaseDurationSeconds * 1000;
    return nowMs - this.#observed.atMs >= durationMs;
  }
}

/** The Lease API's MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
