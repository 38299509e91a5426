// How far reads served from the caches can be trusted. Before the caches hold a first complete
// listing a read would answer from nothing (an empty list, a 404 for every exposure), so it is a
// 503 to retry instead. Once the watch on the Kubernetes API has been broken for longer than a
// bound, reads still answer from the caches — what they hold is the last known state — but say
// how old it may be.
import type { Clock } from './ports/clock.ts';
import type { Cluster } from './ports/cluster.ts';
import { ExposureProblem } from './problems.ts';

/** Informers list again within a second or two once the apiserver answers; a retry then finds them synced. */
const RETRY_UNSYNCED_AFTER_SECONDS = 2;

export class CacheFreshness {
  readonly #cluster: Cluster;
  readonly #clock: Clock;
  readonly #staleAfterMs: number;

  constructor(cluster: Cluster, clock: Clock, staleAfterSeconds: number) {
    this.#cluster = cluster;
    this.#clock = clock;
    this.#staleAfterMs = staleAfterSeconds * 1000;
  }

  /** Whole seconds the watch has been broken; 0 while it is up. */
  watchBrokenSeconds(): number {
    const since = this.#cluster.watchBrokenSince();
    return since === undefined ? 0 : Math.max(0, Math.floor((this.#clock.now() - since.getTime()) / 1000));
  }

  /**
   * For a read from the caches: a `caches-not-synced` problem before they have synced; once the
   * watch has been broken longer than the bound, how many seconds old their data may be;
   * otherwise undefined (the data is current).
   */
  forRead(): number | undefined {
    if (!this.#cluster.synced()) {
      throw new ExposureProblem(
        'caches-not-synced',
        'this replica has not yet read the state of the cluster; retry in a moment',
        { retryAfterSeconds: RETRY_UNSYNCED_AFTER_SECONDS },
      );
    }
    const since = this.#cluster.watchBrokenSince();
    if (since === undefined || this.#clock.now() - since.getTime() < this.#staleAfterMs) return undefined;
    return this.watchBrokenSeconds();
  }
}
