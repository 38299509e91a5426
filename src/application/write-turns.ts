// Whose GCE write is next. The reconciler tags each pass with its flow (the exposure's namespace)
// and priority; the write rate limit reads the tag of the write that waits, so that the writes
// waiting for a token are served as fairly as the passes that issue them (fair-queue.ts), not in
// the order they happened to arrive.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FairEntry } from './fair-queue.ts';

const turns = new AsyncLocalStorage<FairEntry>();

/** Runs `work` with its writes tagged with `entry`. */
export function inTurn<T>(entry: FairEntry, work: () => T): T {
  return turns.run(entry, work);
}

/** The tag of the running work; writes issued outside any tagged work share one flow. */
export function currentTurn(): FairEntry {
  return turns.getStore() ?? { flow: '', priority: 0 };
}
