// `npm run lint`: no TypeScript file under the root of .file-size-limit.json is longer than its
// maxLines, unless the file is listed there with the reason it may be. A long file usually holds
// more than one concept; the list makes each exception a decision that someone wrote down.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CONFIG = '.file-size-limit.json';

interface FileSizeLimit {
  maxLines: number;
  root: string;
  /** Path → why it may be longer. */
  allowed: Record<string, string>;
}

function lineCount(path: string): number {
  const text = readFileSync(path, 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as FileSizeLimit;
const files = readdirSync(config.root, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(config.root, name).split('\\').join('/'))
  .sort();
const problems: string[] = [];
for (const path of files) {
  const lines = lineCount(path);
  if (lines > config.maxLines && !Object.hasOwn(config.allowed, path)) {
    problems.push(
      `${path} has ${lines} lines (limit ${config.maxLines}): split it, or list it in ${CONFIG} with the reason it may be longer`,
    );
  }
}
for (const [path, reason] of Object.entries(config.allowed)) {
  if (reason.trim() === '') problems.push(`${CONFIG}: ${path} is listed without a reason`);
  if (!existsSync(path)) {
    // Not an error: a file that was split or removed leaves nothing to check.
    process.stdout.write(
      `note: ${path} is listed in ${CONFIG} but no longer exists; remove it from the list\n`,
    );
  } else if (lineCount(path) <= config.maxLines) {
    problems.push(`${path} is within ${config.maxLines} lines now: remove it from the list in ${CONFIG}`);
  }
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
const allowed = Object.keys(config.allowed).filter((path) => existsSync(path)).length;
process.stdout.write(
  `file sizes: ${files.length - allowed} files within ${config.maxLines} lines, ${allowed} allowed longer (${CONFIG})\n`,
);
