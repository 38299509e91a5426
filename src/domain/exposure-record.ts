// Kubernetes is the database: the NodePort Service *is* the exposure record. This module maps an
// accepted spec to the Service to create, and an observed Service back to the exposure.
import type { ObservedService, ObservedServicePort, ServiceManifest } from './cluster-objects.ts';
import { type ExposureId, isExposureId } from './exposure-id.ts';
import type { ExposureSpec } from './exposure-spec.ts';
import { type FirewallStatusRecord, parseFirewallStatus } from './firewall-status.ts';
import {
  CLUSTER_ID_ANNOTATION,
  CREATED_BY_ANNOTATION,
  EXPIRES_AT_ANNOTATION,
  EXPOSURE_ID_LABEL,
  FIREWALL_FINALIZER,
  FIREWALL_STATUS_ANNOTATION,
  GENERATION_ANNOTATION,
  IDEMPOTENCY_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SPEC_ANNOTATION,
} from './naming.ts';
import { shareStrings } from './shared-strings.ts';
import { specHash } from './spec-hash.ts';

export interface ExposureRecord {
  id: ExposureId;
  clusterId: string;
  spec: ExposureSpec;
  specHash: string;
  generation: number;
  createdBy: string;
  createdAt: string;
  service: ObservedService;
  firewallStatus: FirewallStatusRecord | undefined;
  idempotency: IdempotencyRecord | undefined;
}

/** Which Idempotency-Key created the exposure, and from which request body. */
export interface IdempotencyRecord {
  /** SHA-256 of the caller's subject and the key, so keys are scoped to the caller. */
  keyHash: string;
  requestHash: string;
}

export interface NewExposure {
  id: ExposureId;
  clusterId: string;
  spec: ExposureSpec;
  createdBy: string;
  /** 1 on create, incremented by every accepted change of the spec. */
  generation: number;
  idempotency?: IdempotencyRecord;
}

export function serviceManifestFor(exposure: NewExposure): ServiceManifest {
  const { spec } = exposure;
  return {
    namespace: spec.namespace,
    name: spec.name,
    // User labels first, so the managed ones always win (validation refuses them anyway).
    labels: { ...spec.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [EXPOSURE_ID_LABEL]: exposure.id },
    annotations: {
      [SPEC_ANNOTATION]: JSON.stringify(spec),
      [CREATED_BY_ANNOTATION]: exposure.createdBy,
      [GENERATION_ANNOTATION]: String(exposure.generation),
      [CLUSTER_ID_ANNOTATION]: exposure.clusterId,
      ...(spec.expiresAt !== undefined && { [EXPIRES_AT_ANNOTATION]: spec.expiresAt }),
      ...(exposure.idempotency && { [IDEMPOTENCY_ANNOTATION]: JSON.stringify(exposure.idempotency) }),
    },
    finalizers: [FIREWALL_FINALIZER],
    selector: { ...spec.selector },
    ports: spec.ports.map((port) => ({
      ...(port.name !== undefined && { name: port.name }),
      port: port.port,
      targetPort: port.targetPort,
      ...(port.nodePort !== undefined && { nodePort: port.nodePort }),
      protocol: port.protocol,
    })),
    externalTrafficPolicy: spec.externalTrafficPolicy,
  };
}

export type RecordReadResult = { ok: true; record: ExposureRecord } | { ok: false; problem: string };

/** Reads the exposure a managed Service records; a Service edited beyond recognition is reported. */
export function readExposureRecord(service: ObservedService): RecordReadResult {
  const id = service.labels[EXPOSURE_ID_LABEL];
  if (!id || !isExposureId(id))
    return { ok: false, problem: `label ${EXPOSURE_ID_LABEL} is missing or invalid` };
  const specText = service.annotations[SPEC_ANNOTATION];
  if (!specText) return { ok: false, problem: `annotation ${SPEC_ANNOTATION} is missing` };
  let spec: ExposureSpec;
  try {
    spec = JSON.parse(specText) as ExposureSpec;
  } catch {
    return { ok: false, problem: `annotation ${SPEC_ANNOTATION} is not JSON` };
  }
  if (!isSpecShape(spec))
    return { ok: false, problem: `annotation ${SPEC_ANNOTATION} does not hold an exposure spec` };
  // Tolerate hand-edited specs without labels rather than answering `labels: undefined`.
  if (spec.labels === null || typeof spec.labels !== 'object' || Array.isArray(spec.labels)) spec.labels = {};
  shareServiceStrings(spec, service);
  const generation = Number(service.annotations[GENERATION_ANNOTATION] ?? '1');
  return {
    ok: true,
    record: {
      id,
      clusterId: service.annotations[CLUSTER_ID_ANNOTATION] ?? '',
      spec,
      specHash: specHash(spec),
      generation: Number.isInteger(generation) && generation > 0 ? generation : 1,
      createdBy: service.annotations[CREATED_BY_ANNOTATION] ?? '',
      createdAt: service.creationTimestamp,
      service,
      firewallStatus: parseFirewallStatus(service.annotations[FIREWALL_STATUS_ANNOTATION]),
      idempotency: parseIdempotency(service.annotations[IDEMPOTENCY_ANNOTATION]),
    },
  };
}

/**
 * The spec parsed from the annotation repeats the Service's namespace, name, selector and labels,
 * each value a string of its own; where they are equal the spec takes the Service's. A record is
 * kept for every exposure, and the workload's name alone appears in six places.
 */
function shareServiceStrings(spec: ExposureSpec, service: ObservedService): void {
  if (spec.namespace === service.namespace) spec.namespace = service.namespace;
  if (spec.name === service.name) spec.name = service.name;
  shareStrings(spec.selector, service.selector);
  shareStrings(spec.labels, service.labels);
}

function isSpecShape(value: unknown): value is ExposureSpec {
  if (value === null || typeof value !== 'object') return false;
  const spec = value as Partial<ExposureSpec>;
  return (
    typeof spec.namespace === 'string' &&
    typeof spec.name === 'string' &&
    Array.isArray(spec.ports) &&
    Array.isArray(spec.sourceRanges) &&
    typeof spec.selector === 'object' &&
    spec.selector !== null &&
    !Array.isArray(spec.selector) &&
    (spec.externalTrafficPolicy === 'Cluster' || spec.externalTrafficPolicy === 'Local') &&
    (spec.expiresAt === undefined ||
      (typeof spec.expiresAt === 'string' && !Number.isNaN(Date.parse(spec.expiresAt))))
  );
}

export function isTerminating(record: Pick<ExposureRecord, 'service'>): boolean {
  return record.service.deletionTimestamp !== undefined;
}

function parseIdempotency(text: string | undefined): IdempotencyRecord | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<IdempotencyRecord>;
    if (typeof parsed.keyHash === 'string' && typeof parsed.requestHash === 'string') {
      return { keyHash: parsed.keyHash, requestHash: parsed.requestHash };
    }
  } catch {
    // an unreadable record is as good as none
  }
  return undefined;
}

/**
 * The node ports the firewall may open: the Service's ports that the accepted spec asked for
 * (matched by port and protocol). A port added to the Service by hand is not the exposure's, and
 * is never opened.
 */
export function exposedPorts(record: Pick<ExposureRecord, 'spec' | 'service'>): ObservedServicePort[] {
  const asked = new Set(record.spec.ports.map((port) => `${port.port}/${port.protocol}`));
  return record.service.ports.filter(
    (port) =>
      (port.protocol === 'TCP' || port.protocol === 'UDP') && asked.has(`${port.port}/${port.protocol}`),
  );
}
