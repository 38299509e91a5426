// A client-side rate limit on GCE writes. A burst of creates (or a full resync that finds much
// drift) must not spend the project's API quota, which other tools share: writes wait for their
// turn, reads pass through.
//
// Writes are spaced evenly (`writesPerSecond`, no burst), and those waiting are served by priority,
// then by flow in turn (write-turns.ts): a tenant whose pass just started does not wait behind the
// writes of another tenant's hundreds, and a repair of a widened rule goes before both.
import { FairQueue } from './fair-queue.ts';
import type { Firewalls } from './ports/firewalls.ts';
import { WriteGatedFirewalls } from './write-gated-firewalls.ts';
import { currentTurn } from './write-turns.ts';

export class RateLimitedFirewalls extends WriteGatedFirewalls {
  readonly #intervalMs: number;
  readonly #waiting = new FairQueue<() => void>();
  /** When the next write may start (performance.now() time). */
  #nextAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #ticket = 0;

  constructor(inner: Firewalls, writesPerSecond: number) {
    super(inner);
    this.#intervalMs = 1000 / writesPerSecond;
  }

  /** Writes waiting for their turn now. */
  get waiting(): number {
    return this.#waiting.size;
  }

  protected async gateWrite<T>(write: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.#waiting.push(String(++this.#ticket), resolve, currentTurn());
      this.#release();
    });
    return write();
  }

  /** Lets the next write go if its time has come, else waits until it has. */
  #release(): void {
    if (this.#timer || this.#waiting.size === 0) return;
    const now = performance.now();
    if (now < this.#nextAt) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#release();
      }, this.#nextAt - now);
      return;
    }
    this.#nextAt = Math.max(now, this.#nextAt) + this.#intervalMs;
    this.#waiting.shift()?.item();
    this.#release();
  }
}
