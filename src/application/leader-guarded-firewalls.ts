// Refuses GCE writes while this replica is not the leader. The leader stops its reconciler when it
// loses the lease, but a step already running could still reach a write; this makes sure it does
// not, so that two replicas never write at once.
import { FirewallError, type Firewalls } from './ports/firewalls.ts';
import { WriteGatedFirewalls } from './write-gated-firewalls.ts';

export class LeaderGuardedFirewalls extends WriteGatedFirewalls {
  readonly #isLeader: () => boolean;

  constructor(inner: Firewalls, isLeader: () => boolean) {
    super(inner);
    this.#isLeader = isLeader;
  }

  protected async gateWrite<T>(write: () => Promise<T>): Promise<T> {
    if (!this.#isLeader())
      throw new FirewallError(
        'Unavailable',
        'this replica is no longer the leader; the write is left to the new one',
      );
    return write();
  }
}
