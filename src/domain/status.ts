// Phase and conditions of an exposure, derived from what was observed: the Service, the
// reconciler's record of the firewall rules, and the endpoints' health. Pure, so that every
// combination is a row in a table test.
import type { EndpointCounts } from './endpoints.ts';
import type { Condition, Phase } from './exposure-status.ts';
import type { FirewallStatusRecord } from './firewall-status.ts';
import type { FirewallVerification } from './firewall-verification.ts';

/** Firewall reasons that no retry will fix: a person must act (the message says how). */
export const REASONS_NEEDING_A_PERSON: ReadonlySet<string> = new Set([
  'PolicyViolation',
  'QuotaExceeded',
  'PermissionDenied',
  'RuleNameTaken',
  'InvalidRule',
]);

export interface StatusInputs {
  generation: number;
  specHash: string;
  createdAt: string;
  terminating: boolean;
  serviceDescription: string;
  firewall: FirewallStatusRecord | undefined;
  /** Whether the drift sweeps still vouch for the recorded status (absent: nothing to say). */
  verification?: FirewallVerification;
  /** Counts over the endpoints (fresh probes, or the probe cache for lists). */
  endpoints: EndpointCounts;
  selectorText: string;
  /** When the Reachable condition last changed, as tracked by the caller. */
  reachableSince: (status: Condition['status'], reason: string) => string;
}

export interface DerivedStatus {
  phase: Phase;
  conditions: Condition[];
  observedGeneration: number;
}

export function deriveStatus(inputs: StatusInputs): DerivedStatus {
  const service = serviceCondition(inputs);
  const firewall = firewallCondition(inputs);
  const reachable = reachableCondition(inputs);
  return {
    phase: derivePhase(inputs, firewall, reachable),
    conditions: [service, firewall, reachable],
    // The generation the firewall half was last reconciled for (0: never).
    observedGeneration: inputs.firewall?.generation ?? 0,
  };
}

function serviceCondition(inputs: StatusInputs): Condition {
  return {
    type: 'ServiceReady',
    status: inputs.terminating ? 'False' : 'True',
    reason: inputs.terminating ? 'Terminating' : 'Created',
    message: inputs.terminating
      ? `${inputs.serviceDescription} is being deleted after its firewall rules`
      : `${inputs.serviceDescription} is in place`,
    lastTransitionTime: inputs.createdAt,
    observedGeneration: inputs.generation,
  };
}

function firewallCondition(inputs: StatusInputs): Condition {
  const record = inputs.firewall;
  if (!record) {
    return {
      type: 'FirewallReady',
      status: 'Unknown',
      reason: 'Pending',
      message: 'waiting for the firewall rules to be created',
      lastTransitionTime: inputs.createdAt,
      observedGeneration: inputs.generation,
    };
  }
  if (record.specHash !== inputs.specHash && record.state !== 'Deleting') {
    return {
      type: 'FirewallReady',
      status: 'Unknown',
      reason: 'Updating',
      message: 'the firewall rules are being updated to the latest spec',
      lastTransitionTime: record.lastAttemptTime || inputs.createdAt,
      observedGeneration: record.generation,
    };
  }
  const verification = inputs.verification;
  if (record.condition.status === 'True' && verification?.stale) {
    // Never a stale True: the rule may have drifted since, and no sweep could tell.
    const since = verification.verifiedAt ?? record.lastAttemptTime;
    return {
      type: 'FirewallReady',
      status: 'Unknown',
      reason: 'Unverified',
      message: `the firewall rules could not be checked against GCE in the last ${verification.sweep?.missed ?? 0} drift sweeps (GCE refused or rate-limited the list); last seen matching the spec at ${since || 'an unknown time'}`,
      lastTransitionTime: verification.sweep?.completedAt || since || inputs.createdAt,
      observedGeneration: record.generation,
    };
  }
  return { type: 'FirewallReady', ...record.condition, observedGeneration: record.generation };
}

function reachableCondition(inputs: StatusInputs): Condition {
  const counts = inputs.endpoints;
  let status: Condition['status'];
  let reason: string;
  let message: string;
  if (counts.readyPods === 0) {
    status = 'False';
    reason = 'NoReadyPods';
    message = `no ready pod matches the selector ${inputs.selectorText}`;
  } else if (counts.serving === 0) {
    status = 'False';
    reason = 'NoServingEndpoints';
    message =
      counts.total === 0 ? 'the cluster has no node with an address' : 'no Ready node serves the node ports';
  } else if (counts.healthy === counts.serving) {
    status = 'True';
    reason = 'AllHealthy';
    message = `${counts.healthy} of ${counts.serving} serving endpoints healthy`;
  } else if (counts.healthy > 0) {
    status = 'True';
    reason = 'PartiallyHealthy';
    message = `${counts.healthy} of ${counts.serving} serving endpoints healthy`;
  } else if (counts.unhealthy > 0) {
    status = 'False';
    reason = 'NoHealthyEndpoints';
    message = `0 of ${counts.serving} serving endpoints healthy`;
  } else {
    status = 'Unknown';
    reason = 'NotProbed';
    message = `the health of ${counts.serving} serving endpoints is unknown`;
  }
  return {
    type: 'Reachable',
    status,
    reason,
    message,
    lastTransitionTime: inputs.reachableSince(status, reason),
    observedGeneration: inputs.generation,
  };
}

function derivePhase(inputs: StatusInputs, firewall: Condition, reachable: Condition): Phase {
  if (inputs.terminating) return 'Deleting';
  if (firewall.status === 'False' && REASONS_NEEDING_A_PERSON.has(firewall.reason)) return 'Failed';
  // Unverified says nothing new about the rules, only that they could not be checked: the phase
  // follows the endpoints, and the condition tells.
  if (firewall.status !== 'True' && firewall.reason !== 'Unverified') {
    // Rules that were once in place and are now being repaired still let traffic through (or
    // should): that is Degraded. Rules never yet in place are Provisioning.
    const wasReady = inputs.firewall?.everReady === true && firewall.reason !== 'Updating';
    return wasReady ? 'Degraded' : 'Provisioning';
  }
  return reachable.status === 'False' ? 'Degraded' : 'Ready';
}
