// Refuses GCE writes while this replica is not the leader. The leader stops its reconciler when it
// loses the lease, but a step already running could still reach a write; this makes sure it does
// not, so that two replicas never write at once.
import {
  FirewallError,
  type FirewallPage,
  type FirewallRuleSpec,
  type Firewalls,
  type ListFirewallsOptions,
  type ObservedFirewallRule,
} from './ports/firewalls.ts';

export class LeaderGuardedFirewalls implements Firewalls {
  readonly project: string;
  readonly #inner: Firewalls;
  readonly #isLeader: () => boolean;

  constructor(inner: Firewalls, isLeader: () => boolean) {
    this.project = inner.project;
    this.#inner = inner;
    this.#isLeader = isLeader;
  }

  get(name: string): Promise<ObservedFirewallRule | undefined> {
    return this.#inner.get(name);
  }

  listPage(options?: ListFirewallsOptions): Promise<FirewallPage> {
    return this.#inner.listPage(options);
  }

  insert(rule: FirewallRuleSpec): Promise<void> {
    return this.#guard(() => this.#inner.insert(rule));
  }

  patch(name: string, changes: Partial<Omit<FirewallRuleSpec, 'name'>>): Promise<void> {
    return this.#guard(() => this.#inner.patch(name, changes));
  }

  update(rule: FirewallRuleSpec): Promise<void> {
    return this.#guard(() => this.#inner.update(rule));
  }

  delete(name: string): Promise<'deleted' | 'absent'> {
    return this.#guard(() => this.#inner.delete(name));
  }

  async #guard<T>(write: () => Promise<T>): Promise<T> {
    if (!this.#isLeader())
      throw new FirewallError(
        'Unavailable',
        'this replica is no longer the leader; the write is left to the new one',
      );
    return write();
  }
}
