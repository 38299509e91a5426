// Global operations, as every firewall write returns them: an operation starts RUNNING and is
// DONE a configurable time later. A write that fails after it was accepted (quota) is still a
// 200 with an operation, which ends DONE carrying `error` and `httpErrorStatusCode`.

import { randomBytes } from 'node:crypto';
import { notFound } from './api-error.ts';
import { operationPath, selfLink } from './links.ts';
import type { ResourceIds } from './resource-ids.ts';

export type OperationType = 'insert' | 'patch' | 'update' | 'delete';

export interface OperationFailure {
  errors: { code: string; message: string; errorDetails?: unknown[] }[];
  httpErrorStatusCode: number;
  httpErrorMessage: string;
}

interface OperationRecord {
  project: string;
  name: string;
  id: string;
  operationType: OperationType;
  targetLink: string;
  targetId: string;
  insertTime: string;
  doneAtMs: number;
  failure: OperationFailure | undefined;
}

/** How long `wait` blocks at most, as the real API does before answering a RUNNING operation. */
const maxWaitMs = 120_000;
/** Old operations are forgotten beyond this many, so a long benchmark cannot grow memory. */
const retainedOperations = 100_000;

export class Operations {
  readonly #records = new Map<string, OperationRecord>();
  readonly #doneAfterMs: number;
  readonly #ids: ResourceIds;
  readonly #user: string;
  readonly #pendingWaits = new Set<() => void>();

  constructor(options: { doneAfterMs: number; ids: ResourceIds; user: string }) {
    this.#doneAfterMs = options.doneAfterMs;
    this.#ids = options.ids;
    this.#user = options.user;
  }

  start(
    project: string,
    operationType: OperationType,
    target: { link: string; id: string },
    failure?: OperationFailure,
  ): Record<string, unknown> {
    const now = Date.now();
    const record: OperationRecord = {
      project,
      name: operationName(now),
      id: this.#ids.next(),
      operationType,
      targetLink: target.link,
      targetId: target.id,
      insertTime: new Date(now).toISOString(),
      doneAtMs: now + this.#doneAfterMs,
      failure,
    };
    this.#records.set(key(project, record.name), record);
    this.#forgetOldest();
    // The answer to a write is always RUNNING, however soon the operation will be DONE.
    return this.#render(record, true);
  }

  get(project: string, name: string): Record<string, unknown> {
    return this.#render(this.#find(project, name));
  }

  /** Blocks until the operation is DONE or the wait limit passes, then answers it either way. */
  async wait(project: string, name: string): Promise<Record<string, unknown>> {
    const record = this.#find(project, name);
    // A timer may fire a millisecond before Date.now() reaches its deadline: wait one more.
    const remaining = Math.min(record.doneAtMs - Date.now() + 1, maxWaitMs);
    if (record.doneAtMs > Date.now()) {
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          this.#pendingWaits.delete(finish);
          resolve();
        };
        const timer = setTimeout(finish, remaining);
        this.#pendingWaits.add(finish);
      });
    }
    return this.#render(record);
  }

  /** Releases every blocked `wait` (the emulator is shutting down). */
  releaseWaits(): void {
    for (const finish of [...this.#pendingWaits]) finish();
  }

  #find(project: string, name: string): OperationRecord {
    const record = this.#records.get(key(project, name));
    if (!record) throw notFound(operationPath(project, name));
    return record;
  }

  #forgetOldest(): void {
    if (this.#records.size <= retainedOperations) return;
    const oldest = this.#records.keys().next();
    if (!oldest.done) this.#records.delete(oldest.value);
  }

  #render(record: OperationRecord, justStarted = false): Record<string, unknown> {
    const done = !justStarted && Date.now() >= record.doneAtMs;
    const operation: Record<string, unknown> = {
      kind: 'compute#operation',
      id: record.id,
      name: record.name,
      operationType: record.operationType,
      targetLink: record.targetLink,
      targetId: record.targetId,
      status: done ? 'DONE' : 'RUNNING',
      user: this.#user,
      progress: done ? 100 : 0,
      insertTime: record.insertTime,
      startTime: record.insertTime,
      selfLink: selfLink(operationPath(record.project, record.name)),
    };
    if (done) {
      operation.endTime = new Date(record.doneAtMs).toISOString();
      if (record.failure) {
        operation.error = { errors: structuredClone(record.failure.errors) };
        operation.httpErrorStatusCode = record.failure.httpErrorStatusCode;
        operation.httpErrorMessage = record.failure.httpErrorMessage;
      }
    }
    return operation;
  }
}

function key(project: string, name: string): string {
  return `${project}/${name}`;
}

/** Shaped like the real names: `operation-<epoch ms>-<13 hex>-<8 hex>-<8 hex>`. */
function operationName(nowMs: number): string {
  const hex = randomBytes(15).toString('hex');
  return `operation-${nowMs}-${hex.slice(0, 13)}-${hex.slice(13, 21)}-${hex.slice(21, 29)}`;
}
