// Fair queuing in the manner of the apiserver's API Priority and Fairness: entries wait in one
// queue per flow (a namespace: a tenant), flows take turns, and a priority level above them is
// served first. Within a priority level the flow served least recently goes next — round-robin
// among flows that stay busy, and a flow that was idle is served at the next turn, however long
// the others' queues are. One entry per key: adding a key again changes nothing, unless it comes
// at a higher priority, which moves it up.

export interface FairEntry {
  /** The tenant whose turn the entry waits for. */
  flow: string;
  /** Higher is served first; entries of equal priority share by flow. */
  priority: number;
}

interface Flow {
  keys: string[];
  /** When the flow was last served (a dispatch count), 0 if never: the smallest goes next. */
  lastServed: number;
}

interface Level {
  flows: Map<string, Flow>;
  size: number;
}

export class FairQueue<Item> {
  readonly #levels = new Map<number, Level>();
  /** Priorities with waiting entries, highest first. */
  #priorities: number[] = [];
  readonly #entries = new Map<string, { item: Item; entry: FairEntry }>();
  /** When each flow was last served, across levels, so turns survive a flow going idle. */
  readonly #lastServed = new Map<string, number>();
  #dispatches = 0;

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /**
   * Queues the item under its key. A key already queued keeps its place and item, unless the new
   * entry has a higher priority: then it moves to that level (with the new item).
   */
  push(key: string, item: Item, entry: FairEntry): void {
    const queued = this.#entries.get(key);
    if (queued) {
      if (entry.priority <= queued.entry.priority) return;
      this.#removeFromLevel(key, queued.entry);
    }
    this.#entries.set(key, { item, entry });
    const level = this.#level(entry.priority);
    const flow = level.flows.get(entry.flow);
    if (flow) flow.keys.push(key);
    else this.#addFlow(level, entry.flow, key);
    level.size++;
  }

  /** The next entry: the highest priority level first, and in it the flow served least recently. */
  shift(): { key: string; item: Item; entry: FairEntry } | undefined {
    const priority = this.#priorities[0];
    if (priority === undefined) return undefined;
    const level = this.#levels.get(priority) as Level;
    let next: [string, Flow] | undefined;
    for (const candidate of level.flows) {
      if (!next || candidate[1].lastServed < next[1].lastServed) next = candidate;
    }
    const [flowName, flow] = next as [string, Flow];
    const key = flow.keys.shift() as string;
    this.#dispatches++;
    flow.lastServed = this.#dispatches;
    this.#lastServed.set(flowName, this.#dispatches);
    if (flow.keys.length === 0) level.flows.delete(flowName);
    this.#shrink(priority, level);
    const queued = this.#entries.get(key) as { item: Item; entry: FairEntry };
    this.#entries.delete(key);
    return { key, item: queued.item, entry: queued.entry };
  }

  delete(key: string): boolean {
    const queued = this.#entries.get(key);
    if (!queued) return false;
    this.#removeFromLevel(key, queued.entry);
    this.#entries.delete(key);
    return true;
  }

  clear(): void {
    this.#levels.clear();
    this.#priorities = [];
    this.#entries.clear();
  }

  /** How many entries wait at each priority and in each flow (for tests and metrics). */
  waiting(): { priority: number; flow: string; count: number }[] {
    return this.#priorities.flatMap((priority) =>
      [...(this.#levels.get(priority) as Level).flows].map(([flow, { keys }]) => ({
        priority,
        flow,
        count: keys.length,
      })),
    );
  }

  #level(priority: number): Level {
    let level = this.#levels.get(priority);
    if (!level) {
      level = { flows: new Map(), size: 0 };
      this.#levels.set(priority, level);
      this.#priorities = [...this.#levels.keys()].sort((a, b) => b - a);
    }
    return level;
  }

  #addFlow(level: Level, flow: string, key: string): void {
    level.flows.set(flow, { keys: [key], lastServed: this.#lastServed.get(flow) ?? 0 });
    // Idle flows are forgotten once no queue remembers them, so the map stays as large as the
    // set of flows with work (plus recently served ones), not every namespace ever seen.
    if (this.#lastServed.size > 4 * this.#entries.size + 1024) this.#forgetIdleFlows();
  }

  #removeFromLevel(key: string, entry: FairEntry): void {
    const level = this.#levels.get(entry.priority);
    const flow = level?.flows.get(entry.flow);
    if (!level || !flow) return;
    const at = flow.keys.indexOf(key);
    if (at < 0) return;
    flow.keys.splice(at, 1);
    if (flow.keys.length === 0) level.flows.delete(entry.flow);
    this.#shrink(entry.priority, level);
  }

  #shrink(priority: number, level: Level): void {
    level.size--;
    if (level.size > 0) return;
    this.#levels.delete(priority);
    this.#priorities = this.#priorities.filter((p) => p !== priority);
  }

  #forgetIdleFlows(): void {
    const busy = new Set<string>();
    for (const level of this.#levels.values()) for (const flow of level.flows.keys()) busy.add(flow);
    for (const flow of this.#lastServed.keys()) if (!busy.has(flow)) this.#lastServed.delete(flow);
  }
}
