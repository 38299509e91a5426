// Runs tasks one at a time per key (different keys run concurrently), so that two requests with
// the same Idempotency-Key cannot both create.
import pLimit from 'p-limit';

export class KeyedSerializer {
  readonly #queues = new Map<string, ReturnType<typeof pLimit>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = pLimit(1);
      this.#queues.set(key, queue);
    }
    try {
      return await queue(task);
    } finally {
      // Forget idle keys, so the map holds only keys with work in flight.
      if (queue.activeCount === 0 && queue.pendingCount === 0) this.#queues.delete(key);
    }
  }
}
