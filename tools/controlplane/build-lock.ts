// A lock file that serialises builds across processes: test files run in parallel, and each may be
// the first to need the binaries.
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from './log.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding an exclusive lock file, so that two test processes asking for the same build at
 * once build it only once. A lock left behind by a process that died is taken over.
 */
export async function withLock<T>(lockPath: string, what: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    const age = await stat(lockPath).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    // A pid-less lock older than a minute belongs to a process that died between creating and writing it.
    if ((Number.isInteger(owner) && !isAlive(owner)) || (!Number.isInteger(owner) && age > 60_000)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (!announced) {
      log(`waiting for process ${owner} to finish ${what} (lock ${lockPath})`);
      announced = true;
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
