// GCE firewall rules have no labels, so a rule says who owns it in its description, as JSON (the
// Kubernetes GCE cloud provider does the same). A rule is adopted, patched or deleted only when
// its description names this installation's cluster id — and, where known, the exposure.
import type { ExposureId } from './exposure-id.ts';

export interface RuleOwnership {
  exposureId: string;
  clusterId: string;
  /** `namespace/name` of the Service. */
  service: string;
}

const EXPOSURE_KEY = 'exposure-api.io/exposure-id';
const CLUSTER_KEY = 'exposure-api.io/cluster-id';
const SERVICE_KEY = 'kubernetes.io/service-name';

export function ownershipDescription(owner: RuleOwnership): string {
  return JSON.stringify({
    [SERVICE_KEY]: owner.service,
    [EXPOSURE_KEY]: owner.exposureId,
    [CLUSTER_KEY]: owner.clusterId,
  });
}

export function parseOwnership(description: string): RuleOwnership | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(description);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const record = parsed as Record<string, unknown>;
  const exposureId = record[EXPOSURE_KEY];
  const clusterId = record[CLUSTER_KEY];
  const service = record[SERVICE_KEY];
  if (typeof exposureId !== 'string' || typeof clusterId !== 'string' || typeof service !== 'string')
    return undefined;
  return { exposureId, clusterId, service };
}

/** Whether the rule belongs to this installation (and, when given, to this exposure). */
export function isOwnedBy(description: string, clusterId: string, exposureId?: ExposureId): boolean {
  const owner = parseOwnership(description);
  if (!owner || owner.clusterId !== clusterId) return false;
  return exposureId === undefined || owner.exposureId === exposureId;
}
