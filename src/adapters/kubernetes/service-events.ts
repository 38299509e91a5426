// Kubernetes Events (core/v1) on the Services exposure-api manages, so that `kubectl describe svc`
// and cluster tooling show what happened to the firewall.
//
// Like client-go's event recorder, a repeat of the same event (same object, type, reason and
// message) within a while bumps `count` and `lastTimestamp` of the Event already written instead
// of adding one per occurrence: a failure retried every few seconds stays one line.
import { hostname } from 'node:os';
import { type CoreV1Api, type CoreV1Event, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ClusterEventRecord } from '../../application/ports/cluster.ts';
import { ignoreUpstreamCalls, type UpstreamCallRecorder } from '../../application/ports/telemetry.ts';
import type { ServiceRef } from '../../domain/cluster-objects.ts';
import { callKubernetes } from './kubernetes-api.ts';
import { toClusterError } from './kubernetes-errors.ts';

export interface ServiceEventsOptions {
  core: CoreV1Api;
  recorder?: UpstreamCallRecorder;
  /** `source.component` and `reportingComponent`. */
  component?: string;
  /** `reportingInstance`: which replica wrote the event (the pod name in a cluster). */
  instance?: string;
  /** How long a repeat still counts as the same event; default 10 minutes, as client-go. */
  aggregateWindowMs?: number;
  /** How many distinct events are remembered for counting; default 4096, as client-go. */
  maxRemembered?: number;
  now?: () => Date;
}

interface Written {
  namespace: string;
  name: string;
  count: number;
  lastWritten: number;
}

/** `source.component` and `reportingComponent` of the Events exposure-api writes. */
export const EVENT_COMPONENT = 'exposure-api';

/** Kubernetes rejects longer messages on some paths; nobody reads that much in `describe`. */
const MAX_MESSAGE = 1024;

export class ServiceEvents {
  readonly #core: CoreV1Api;
  readonly #recorder: UpstreamCallRecorder;
  readonly #component: string;
  readonly #instance: string;
  readonly #windowMs: number;
  readonly #max: number;
  readonly #now: () => Date;
  /** Insertion-ordered, so the first entry is the least recently written. */
  readonly #written = new Map<string, Written>();
  /** Writes of one event key run one after the other, so a repeat never races its original. */
  readonly #pending = new Map<string, Promise<void>>();
  // A random start keeps two replicas writing in the same millisecond apart.
  #serial = Math.floor(Math.random() * 1_000_000);

  constructor(options: ServiceEventsOptions) {
    this.#core = options.core;
    this.#recorder = options.recorder ?? ignoreUpstreamCalls;
    this.#component = options.component ?? EVENT_COMPONENT;
    this.#instance = (options.instance ?? hostname()).slice(0, 128);
    this.#windowMs = options.aggregateWindowMs ?? 10 * 60_000;
    this.#max = options.maxRemembered ?? 4096;
    this.#now = options.now ?? (() => new Date());
  }

  record(ref: ServiceRef & { uid: string }, event: ClusterEventRecord): Promise<void> {
    const message = event.message.slice(0, MAX_MESSAGE);
    const key = JSON.stringify([ref.namespace, ref.name, ref.uid, event.type, event.reason, message]);
    const previous = this.#pending.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(() => this.#write(key, ref, { ...event, message }))
      .finally(() => {
        if (this.#pending.get(key) === next) this.#pending.delete(key);
      });
    this.#pending.set(key, next);
    return next;
  }

  async #write(key: string, ref: ServiceRef & { uid: string }, event: ClusterEventRecord): Promise<void> {
    const now = this.#now();
    const seen = this.#written.get(key);
    if (seen && now.getTime() - seen.lastWritten < this.#windowMs) {
      try {
        await callKubernetes(this.#recorder, 'events.patch', () =>
          this.#core.patchNamespacedEvent(
            {
              namespace: seen.namespace,
              name: seen.name,
              body: { count: seen.count + 1, lastTimestamp: now.toISOString() },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          ),
        );
        seen.count++;
        seen.lastWritten = now.getTime();
        this.#remember(key, seen);
        return;
      } catch (error) {
        // Events expire (an hour by default): a vanished one is written afresh.
        if (toClusterError(error).kind !== 'NotFound') throw error;
      }
    }
    const name = `${ref.name}.${this.#uniqueSuffix(now)}`;
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ref.namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Service',
        namespace: ref.namespace,
        name: ref.name,
        uid: ref.uid,
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await callKubernetes(this.#recorder, 'events.create', () =>
      this.#core.createNamespacedEvent({ namespace: ref.namespace, body }),
    );
    this.#remember(key, { namespace: ref.namespace, name, count: 1, lastWritten: now.getTime() });
  }

  #remember(key: string, written: Written): void {
    this.#written.delete(key);
    this.#written.set(key, written);
    while (this.#written.size > this.#max) {
      const oldest = this.#written.keys().next();
      if (oldest.done) break;
      this.#written.delete(oldest.value);
    }
  }

  /** Like client-go's `<object>.<nanoseconds in hex>`, unique within this process. */
  #uniqueSuffix(now: Date): string {
    this.#serial = (this.#serial + 1) % 1_000_000;
    return (BigInt(now.getTime()) * 1_000_000n + BigInt(this.#serial)).toString(16);
  }
}
