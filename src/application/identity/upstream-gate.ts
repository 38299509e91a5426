// A concurrency cap with a bounded queue in front of an upstream the caller cannot trust to keep
// up (TokenReview, SubjectAccessReview): beyond the queue a call is refused at once instead of
// waiting, so a flood of unknown tokens cannot turn into a flood (or a backlog) of apiserver calls.
import pLimit from 'p-limit';

export class UpstreamGate {
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #capacity: number;
  #calls = 0;

  constructor(settings: { concurrency: number; maxQueued: number }) {
    this.#limit = pLimit(settings.concurrency);
    this.#capacity = settings.concurrency + settings.maxQueued;
  }

  /** Runs `call` within the cap, or answers undefined when the queue is full. */
  run<T>(call: () => Promise<T>): Promise<T> | undefined {
    if (this.#limit.activeCount + this.#limit.pendingCount >= this.#capacity) return undefined;
    return this.#limit(() => {
      this.#calls++;
      return call();
    });
  }

  /** Calls made so far (tests and benchmarks count them). */
  get calls(): number {
    return this.#calls;
  }
}
