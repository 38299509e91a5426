// Counts the writes one replica makes through the Firewalls port (reads pass through uncounted).
import type { Firewalls } from '../../src/application/ports/firewalls.ts';

export function countingFirewalls(inner: Firewalls): Firewalls & { writes: number } {
  const counted = {
    writes: 0,
    project: inner.project,
    get: inner.get.bind(inner),
    listPage: inner.listPage.bind(inner),
    insert: (...args: Parameters<Firewalls['insert']>) => {
      counted.writes++;
      return inner.insert(...args);
    },
    patch: (...args: Parameters<Firewalls['patch']>) => {
      counted.writes++;
      return inner.patch(...args);
    },
    update: (...args: Parameters<Firewalls['update']>) => {
      counted.writes++;
      return inner.update(...args);
    },
    delete: (...args: Parameters<Firewalls['delete']>) => {
      counted.writes++;
      return inner.delete(...args);
    },
  };
  return counted;
}
