// A Firewalls in front of another: reads pass through, and every write goes through a gate that
// the subclass defines (waiting for its turn, or refused). Kept in one place so that a method
// added to the port is gated in every such wrapper.
import type {
  FirewallPage,
  FirewallRuleSpec,
  Firewalls,
  ListFirewallsOptions,
  ObservedFirewallRule,
} from './ports/firewalls.ts';

export abstract class WriteGatedFirewalls implements Firewalls {
  readonly project: string;
  readonly #inner: Firewalls;

  constructor(inner: Firewalls) {
    this.project = inner.project;
    this.#inner = inner;
  }

  get(name: string): Promise<ObservedFirewallRule | undefined> {
    return this.#inner.get(name);
  }

  listPage(options?: ListFirewallsOptions): Promise<FirewallPage> {
    return this.#inner.listPage(options);
  }

  insert(rule: FirewallRuleSpec): Promise<void> {
    return this.gateWrite(() => this.#inner.insert(rule));
  }

  patch(name: string, changes: Partial<Omit<FirewallRuleSpec, 'name'>>): Promise<void> {
    return this.gateWrite(() => this.#inner.patch(name, changes));
  }

  update(rule: FirewallRuleSpec): Promise<void> {
    return this.gateWrite(() => this.#inner.update(rule));
  }

  delete(name: string): Promise<'deleted' | 'absent'> {
    return this.gateWrite(() => this.#inner.delete(name));
  }

  /** Runs `write` when (and if) this wrapper lets it go. */
  protected abstract gateWrite<T>(write: () => Promise<T>): Promise<T>;
}
