// Names of the objects a contract creates, unique across runs and processes, so that contracts run
// against one real cluster at once (or one after another without cleanup) never collide.
let serial = 0;

export function uniqueName(prefix: string): string {
  serial++;
  return `${prefix}-${process.pid % 1000}-${serial}-${Math.floor(Math.random() * 1e4)}`;
}
