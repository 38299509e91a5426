// A client-side rate limit on GCE writes. A burst of creates (or a full resync that finds much
// drift) must not spend the project's API quota, which other tools share: writes queue behind a
// limit per second, reads pass through.
import pThrottle from 'p-throttle';
import type {
  FirewallPage,
  FirewallRuleSpec,
  Firewalls,
  ListFirewallsOptions,
  ObservedFirewallRule,
} from './ports/firewalls.ts';

export class RateLimitedFirewalls implements Firewalls {
  readonly project: string;
  readonly #inner: Firewalls;
  readonly #throttle: <T>(write: () => Promise<T>) => Promise<T>;

  constructor(inner: Firewalls, writesPerSecond: number) {
    this.project = inner.project;
    this.#inner = inner;
    const throttled = pThrottle({ limit: writesPerSecond, interval: 1000, strict: true })(
      (write: () => Promise<unknown>) => write(),
    );
    this.#throttle = <T>(write: () => Promise<T>) => throttled(write) as Promise<T>;
  }

  get(name: string): Promise<ObservedFirewallRule | undefined> {
    return this.#inner.get(name);
  }

  listPage(options?: ListFirewallsOptions): Promise<FirewallPage> {
    return this.#inner.listPage(options);
  }

  insert(rule: FirewallRuleSpec): Promise<void> {
    return this.#throttle(() => this.#inner.insert(rule));
  }

  patch(name: string, changes: Partial<Omit<FirewallRuleSpec, 'name'>>): Promise<void> {
    return this.#throttle(() => this.#inner.patch(name, changes));
  }

  update(rule: FirewallRuleSpec): Promise<void> {
    return this.#throttle(() => this.#inner.update(rule));
  }

  delete(name: string): Promise<'deleted' | 'absent'> {
    return this.#throttle(() => this.#inner.delete(name));
  }
}
