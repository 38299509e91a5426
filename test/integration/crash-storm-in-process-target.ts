// The crash storm's target when no real apiserver is available: the service runs in this process
// over the sandbox's in-memory cluster, the Compute emulator and in-memory Leases, which all
// outlive it. "Killing" it cuts every port at once — calls after the kill fail, events are no
// longer delivered, nothing is cleaned up (the lease is not released) — so its effects stop
// exactly where a SIGKILL would stop them; a request already sent to GCE may still complete.

import {
  type ComputeEmulator,
  type ComputeFaults,
  startComputeEmulator,
} from '@exposure-api/compute-emulator';
import { pino } from 'pino';
import type { Cluster, ClusterEvent } from '../../src/application/ports/cluster.ts';
import { ClusterError } from '../../src/application/ports/cluster.ts';
import type { Firewalls } from '../../src/application/ports/firewalls.ts';
import { FirewallError } from '../../src/application/ports/firewalls.ts';
import type { Leases } from '../../src/application/ports/leases.ts';
import { parseConfig } from '../../src/config/load.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { InMemoryLeases } from '../../src/sandbox/in-memory-leases.ts';
import { type StormAnswer, type StormTarget, stormServiceOf } from '../support/crash-storm.ts';
import { gceFirewallsOn } from '../support/emulated-gce.ts';
import { injectAs } from '../support/inject-as.ts';

const TOKEN = 'storm-token';
const PROJECT = 'storm-project';

interface Life {
  dead: boolean;
}

/** Wraps a port so that, once `life.dead`, every method fails and listeners hear nothing more. */
function killable<T extends object>(port: T, life: Life, failure: () => Error): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (life.dead) {
          if (property === 'subscribe') return () => {};
          // The call may still land (a crash does not undo a request already sent), but its
          // answer is lost with the process: its own failure is nobody's to handle.
          const result = value.apply(target, args);
          if (result instanceof Promise) {
            result.catch(() => {});
            return Promise.reject(failure());
          }
          return result;
        }
        if (property === 'subscribe') {
          const listener = args[0] as (event: ClusterEvent) => void;
          return value.call(target, (event: ClusterEvent) => {
            if (!life.dead) listener(event);
          });
        }
        return value.apply(target, args);
      };
    },
  });
}

export async function inProcessStormTarget(
  options: { faults?: ComputeFaults } = {},
): Promise<StormTarget & { close(): Promise<void>; emulator: ComputeEmulator }> {
  const emulator = await startComputeEmulator(options.faults ? { faults: options.faults } : {});
  const cluster = new InMemoryCluster({ namespaces: ['default'] });
  const leases = new InMemoryLeases();
  await cluster.start();
  const config = parseConfig({
    cluster: { id: 'storm' },
    server: { deleteWaitSeconds: 1 },
    gce: { project: PROJECT, writesPerSecond: 100 },
    firewall: { targetTags: ['node'] },
    reconciler: { workers: 8, backoffInitialMs: 50, backoffMaxMs: 1000 },
    leaderElection: { leaseDurationSeconds: 2, renewDeadlineSeconds: 1, retryPeriodSeconds: 1 },
    auth: { tokens: [{ sha256: sha256Hex(TOKEN), subject: 'storm', namespaces: ['*'] }] },
  });
  let current: { runtime: Runtime; life: Life; close: () => Promise<void> } | undefined;
  const graveyard: (() => Promise<void>)[] = [];

  return {
    clusterId: 'storm',
    emulator,
    async start() {
      const life: Life = { dead: false };
      const gce = gceFirewallsOn(emulator, PROJECT);
      const runtime = await createRuntime({
        config,
        cluster: killable<Cluster>(
          cluster,
          life,
          () => new ClusterError('Unavailable', 'the process is dead'),
        ),
        firewalls: killable<Firewalls>(
          gce,
          life,
          () => new FirewallError('Unavailable', 'the process is dead'),
        ),
        leases: killable<Leases>(leases, life, () => new ClusterError('Unavailable', 'the process is dead')),
        logger: pino({ level: 'silent' }),
      });
      await runtime.start();
      current = {
        runtime,
        life,
        close: async () => {
          await runtime.stop().catch(() => {});
          await gce.close();
        },
      };
    },
    async kill() {
      if (!current) return;
      current.life.dead = true;
      graveyard.push(current.close);
      current = undefined;
    },
    async request(method, path, body): Promise<StormAnswer | 'no-answer'> {
      const instance = current;
      if (!instance) return 'no-answer';
      const response = await injectAs(instance.runtime.app, TOKEN, method, path, body);
      // An instance killed while handling the request never answered.
      if (instance.life.dead) return 'no-answer';
      return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined };
    },
    async services() {
      return [...cluster.cachedServices()].flatMap(stormServiceOf);
    },
    async rules() {
      return emulator
        .rules(PROJECT)
        .map((rule) => ({ name: String(rule.name), description: String(rule.description) }));
    },
    async close() {
      await current?.close();
      for (const close of graveyard) await close();
      await cluster.stop();
      await emulator.close();
    },
  };
}
