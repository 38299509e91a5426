// Watch benchmark: memory of the service per open watch stream. The service (the sandbox with one
// Ready exposure) runs in one process, the watchers (plain HTTP connections) in another, so that
// only the service's memory is measured. For each number of watchers: open them, make one change
// (a PATCH of the exposure's labels) that every one of them must receive, collect garbage, then
// read the service's RSS and heap. The
// figure per watcher is the growth over the service with none, divided by their number.
// Target: ≤ 64 KB per watcher.
// Run: npm run bench:watch   (option: --watchers=1000,2000,5000)
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { machineFacts } from './machine.ts';
import type { WatchServiceCommand, WatchServiceMemory, WatchServiceReply } from './watch-service.ts';
import type { SubscribersCommand, SubscribersReply } from './watch-subscribers.ts';

const TARGET_BYTES_PER_WATCHER = 64 * 1024;

const { values } = parseArgs({ options: { watchers: { type: 'string', default: '1000,2000,5000' } } });
const steps = values.watchers.split(',').map(Number);

/** Sends a command and waits for the child's next message. */
async function ask<Reply>(child: ChildProcess, command: unknown): Promise<Reply> {
  const answer = once(child, 'message') as Promise<[Reply]>;
  child.send(command as never);
  const [reply] = await answer;
  if ((reply as { type: string }).type === 'failed') throw new Error(JSON.stringify(reply));
  return reply;
}

const service = fork('bench/watch-service.ts', { execArgv: ['--expose-gc'], stdio: 'inherit' });
const [ready] = (await once(service, 'message')) as [Extract<WatchServiceReply, { type: 'ready' }>];
const subscribers = fork('bench/watch-subscribers.ts', { stdio: 'inherit' });

const measure = async (): Promise<WatchServiceMemory> =>
  (
    await ask<Extract<WatchServiceReply, { type: 'measured' }>>(service, {
      type: 'measure',
    } satisfies WatchServiceCommand)
  ).memory;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

process.stdout.write(`${machineFacts()}\n`);
const baseline = await measure();
process.stdout.write(
  `no watcher: RSS ${mb(baseline.rss)}, heap ${mb(baseline.heapUsed)}, external ${mb(baseline.external)}\n\n`,
);
process.stdout.write(
  'watchers | open in | change seen by all in | RSS       | heap      | RSS / watcher | heap / watcher\n',
);
let worst = 0;
for (const total of steps) {
  const opened = await ask<Extract<SubscribersReply, { type: 'opened' }>>(subscribers, {
    type: 'open',
    url: ready.url,
    authorization: ready.authorization,
    total,
  } satisfies SubscribersCommand);
  await ask(subscribers, { type: 'arm' } satisfies SubscribersCommand);
  const seen = ask<Extract<SubscribersReply, { type: 'event' }>>(subscribers, {
    type: 'await-event',
  } satisfies SubscribersCommand);
  await ask(service, { type: 'change' } satisfies WatchServiceCommand);
  const changed = await seen;
  const memory = await measure();
  const rssEach = (memory.rss - baseline.rss) / total;
  const heapEach = (memory.heapUsed - baseline.heapUsed) / total;
  worst = Math.max(worst, rssEach, heapEach);
  process.stdout.write(
    `${String(total).padStart(8)} | ${`${(opened.ms / 1000).toFixed(1)} s`.padStart(7)} | ${`${changed.ms.toFixed(0)} ms`.padStart(21)} | ${mb(memory.rss).padStart(9)} | ${mb(memory.heapUsed).padStart(9)} | ${kb(rssEach).padStart(13)} | ${kb(heapEach).padStart(14)}\n`,
  );
}
process.stdout.write(
  `\nworst per watcher, RSS or heap: ${kb(worst)} (target ≤ ${kb(TARGET_BYTES_PER_WATCHER)}): ${worst <= TARGET_BYTES_PER_WATCHER ? 'met' : 'NOT met'}\n`,
);
subscribers.send({ type: 'close' } satisfies SubscribersCommand);
await once(subscribers, 'exit');
service.send({ type: 'stop' } satisfies WatchServiceCommand);
await once(service, 'exit');
