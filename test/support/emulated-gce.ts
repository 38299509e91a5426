// The GCE adapter wired to a fresh Compute emulator on loopback, with the pass-through auth
// client: what the adapter tests and the Firewalls contract run against.

import {
  type ComputeEmulator,
  type ComputeEmulatorOptions,
  startComputeEmulator,
} from '@exposure-api/compute-emulator';
import {
  createGceFirewalls,
  type GceFirewalls,
  type GceFirewallsConfig,
} from '../../src/adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../../src/adapters/gce/pass-through-auth.ts';
import type { UpstreamCall } from '../../src/application/ports/telemetry.ts';
import type { FirewallsUnderTest } from '../contract/firewalls.contract.ts';
import './loopback-only.ts';

export interface EmulatedGce extends FirewallsUnderTest {
  firewalls: GceFirewalls;
  emulator: ComputeEmulator;
}

export async function emulatedGce(
  options: {
    project?: string;
    emulator?: ComputeEmulatorOptions;
    adapter?: Partial<GceFirewallsConfig>;
  } = {},
): Promise<EmulatedGce> {
  const project = options.project ?? 'exposure-test';
  const emulator = await startComputeEmulator(options.emulator);
  const calls: UpstreamCall[] = [];
  const firewalls = gceFirewallsOn(emulator, project, {
    recorder: { record: (call) => calls.push(call) },
    operationTimeoutMs: 5_000,
    callTimeoutMs: 5_000,
    ...options.adapter,
  });
  return {
    firewalls,
    emulator,
    calls: () => calls,
    setQuota: (limit) => emulator.setQuota(project, limit),
    denyAccess: (denied) => emulator.denyProject(project, denied),
    failRequestsWith: (status) =>
      emulator.setFaults(status === undefined ? undefined : { errorRate: 1, statuses: [status] }),
    async close() {
      await firewalls.close();
      await emulator.close();
    },
  };
}

/** A GCE adapter of its own on a running emulator (as each replica has), with `config` on top. */
export function gceFirewallsOn(
  emulator: ComputeEmulator,
  project: string,
  config: Partial<GceFirewallsConfig> = {},
): GceFirewalls {
  return createGceFirewalls({
    project,
    apiEndpoint: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    authClient: passThroughAuthClient(),
    ...config,
  });
}
