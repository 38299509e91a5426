// Every name exposure-api writes into Kubernetes or GCE, in one place (as the GCE cloud
// provider keeps its naming in its own module): labels, annotations, the finalizer and firewall
// rule names.
import { type ExposureId, exposureIdSuffix } from './exposure-id.ts';

/** The DNS domain of exposure-api's own labels, annotations and finalizer. */
export const EXPOSURE_API_DOMAIN = 'exposure-api.io';
const PREFIX = EXPOSURE_API_DOMAIN;

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'exposure-api';
export const EXPOSURE_ID_LABEL = `${PREFIX}/id`;
/** The label selector that finds every Service this service manages. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

export const SPEC_ANNOTATION = `${PREFIX}/spec`;
export const CREATED_BY_ANNOTATION = `${PREFIX}/created-by`;
export const GENERATION_ANNOTATION = `${PREFIX}/generation`;
export const FIREWALL_STATUS_ANNOTATION = `${PREFIX}/firewall-status`;
export const CLUSTER_ID_ANNOTATION = `${PREFIX}/cluster-id`;
/** When the exposure deletes itself (also inside the spec; here for kubectl users). */
export const EXPIRES_AT_ANNOTATION = `${PREFIX}/expires-at`;
/** The Idempotency-Key of the create (hashed with the caller) and the hash of its request body. */
export const IDEMPOTENCY_ANNOTATION = `${PREFIX}/idempotency`;

/** On the leader's Lease: the last drift sweep (when, and how many failed since), for every replica. */
export const FIREWALL_SWEEP_ANNOTATION = `${PREFIX}/firewall-sweep`;

/** Keeps the Service from disappearing before its firewall rules are deleted. */
export const FIREWALL_FINALIZER = `${PREFIX}/firewall-cleanup`;

/** Field managers for server-side apply: spec writes and status writes never erase each other. */
export const SPEC_FIELD_MANAGER = 'exposure-api';
export const STATUS_FIELD_MANAGER = 'exposure-api-reconciler';

/** Labels users may not set: the ones this service manages, and anything under its prefix. */
export function isManagedLabelKey(key: string): boolean {
  return key === MANAGED_BY_LABEL || key.startsWith(`${PREFIX}/`);
}

export type IpFamily = 'IPv4' | 'IPv6';

export function firewallRulePrefix(clusterId: string): string {
  return `exp-${clusterId}-`;
}

export function firewallRuleName(clusterId: string, exposureId: ExposureId, family: IpFamily): string {
  const base = `${firewallRulePrefix(clusterId)}${exposureIdSuffix(exposureId)}`;
  return family === 'IPv6' ? `${base}-v6` : base;
}
