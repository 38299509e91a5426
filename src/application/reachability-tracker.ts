// Remembers when each exposure's Reachable condition last changed. The condition is derived on
// read from probe results, so its lastTransitionTime has to be kept somewhere; it is per replica
// (a restart resets it to the first observation), which is enough for "since when".
export class ReachabilityTracker {
  readonly #since = new Map<string, { key: string; at: string }>();

  since(id: string, status: string, reason: string, nowIso: string): string {
    const key = `${status}/${reason}`;
    const previous = this.#since.get(id);
    if (previous && previous.key === key) return previous.at;
    this.#since.set(id, { key, at: nowIso });
    return nowIso;
  }

  forget(id: string): void {
    this.#since.delete(id);
  }
}
