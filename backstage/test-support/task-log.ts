// A LoggerService that keeps what an action writes to its task log and prints it, so that a test's
// output shows the log as the scaffolder would.
import type { LoggerService } from '@backstage/backend-plugin-api';

export interface TaskLogLine {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
}

export class TaskLog implements LoggerService {
  readonly lines: TaskLogLine[];
  readonly #title: string;

  constructor(title: string, lines: TaskLogLine[] = []) {
    this.#title = title;
    this.lines = lines;
  }

  error(message: string): void {
    this.#add('error', message);
  }
  warn(message: string): void {
    this.#add('warn', message);
  }
  info(message: string): void {
    this.#add('info', message);
  }
  debug(message: string): void {
    this.#add('debug', message);
  }
  child(): LoggerService {
    return new TaskLog(this.#title, this.lines);
  }

  /** Everything written, one line per message. */
  get text(): string {
    return this.lines.map((line) => `${line.level}: ${line.message}`).join('\n');
  }

  #add(level: TaskLogLine['level'], message: string): void {
    this.lines.push({ level, message });
    process.stdout.write(`[task log ${this.#title}] ${level}: ${message}\n`);
  }
}
