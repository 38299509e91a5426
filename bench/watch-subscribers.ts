// The watchers of the watch benchmark, in a process of their own so that their memory is not the
// service's: plain HTTP connections, each reading its stream and counting its events. Driven over
// IPC by bench/watch.ts.
import { get, type IncomingMessage } from 'node:http';

export type SubscribersCommand =
  | { type: 'open'; url: string; authorization: string; total: number }
  /** Notes how many events each watcher has, before a change is made. */
  | { type: 'arm' }
  /** Waits until every watcher has one event more than when armed. */
  | { type: 'await-event' }
  | { type: 'close' };

export type SubscribersReply =
  | { type: 'opened'; total: number; ms: number }
  | { type: 'armed' }
  | { type: 'event'; ms: number }
  | { type: 'failed'; error: string };

const EVENT_MARK = '\nevent: exposure\n';

interface Watcher {
  response: IncomingMessage;
  events: number;
  armedAt: number;
}

const watchers: Watcher[] = [];

function reply(message: SubscribersReply): void {
  process.send?.(message);
}

function open(url: string, authorization: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { authorization }, agent: false });
    request.on('error', reject);
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`the watch answered ${response.statusCode}`));
        return;
      }
      const watcher: Watcher = { response, events: 0, armedAt: 0 };
      // The end of the previous chunk, too short to hold a whole mark: none is counted twice.
      let tail = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const text = tail + chunk;
        for (let at = text.indexOf(EVENT_MARK); at >= 0; at = text.indexOf(EVENT_MARK, at + 1)) {
          watcher.events++;
        }
        tail = text.slice(-(EVENT_MARK.length - 1));
      });
      resolve(watcher);
    });
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

process.on('message', async (command: SubscribersCommand) => {
  try {
    const started = performance.now();
    if (command.type === 'open') {
      // In batches, as clients arrive: a few hundred connections at a time.
      while (watchers.length < command.total) {
        const batch = Math.min(200, command.total - watchers.length);
        watchers.push(
          ...(await Promise.all(
            Array.from({ length: batch }, () => open(command.url, command.authorization)),
          )),
        );
      }
      await until(() => watchers.every((watcher) => watcher.events >= 1));
      reply({ type: 'opened', total: watchers.length, ms: performance.now() - started });
    } else if (command.type === 'arm') {
      for (const watcher of watchers) watcher.armedAt = watcher.events;
      reply({ type: 'armed' });
    } else if (command.type === 'await-event') {
      await until(() => watchers.every((watcher) => watcher.events > watcher.armedAt));
      reply({ type: 'event', ms: performance.now() - started });
    } else {
      for (const watcher of watchers) watcher.response.destroy();
      process.exit(0);
    }
  } catch (error) {
    reply({ type: 'failed', error: String(error) });
  }
});
