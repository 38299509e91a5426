// Counts the writes one replica makes through the Firewalls port (reads pass through uncounted),
// and keeps what each was, so that an assertion on the count can say which writes it saw.
import type { Firewalls } from '../../src/application/ports/firewalls.ts';

export type CountingFirewalls = Firewalls & { readonly writes: number; readonly log: readonly string[] };

export function countingFirewalls(inner: Firewalls): CountingFirewalls {
  const log: string[] = [];
  const record = (what: string) => log.push(`${new Date().toISOString()} ${what}`);
  return {
    get writes() {
      return log.length;
    },
    log,
    project: inner.project,
    get: inner.get.bind(inner),
    listPage: inner.listPage.bind(inner),
    insert: (rule) => {
      record(`insert ${rule.name}`);
      return inner.insert(rule);
    },
    patch: (name, changes) => {
      record(`patch ${name} ${Object.keys(changes).join(',')}`);
      return inner.patch(name, changes);
    },
    update: (rule) => {
      record(`update ${rule.name}`);
      return inner.update(rule);
    },
    delete: (name) => {
      record(`delete ${name}`);
      return inner.delete(name);
    },
  };
}
