// The accepted spec of an exposure: the request after validation and defaulting. It is what the
// Service's spec annotation stores and what the ETag hashes, so it holds what the caller asked
// for (a node port only if one was requested), never what the cluster decided.
import type { ServiceProtocol, TrafficPolicy } from './cluster-objects.ts';
import { labelKeyProblem } from './label-key.ts';
import { checkSourceRanges, type SourceRangePolicy } from './source-range-policy.ts';
import { labelsFromSelector, userLabelViolations } from './user-labels.ts';
import { invalid, pointerToken, type Violation } from './violation.ts';

export interface PortSpec {
  name?: string;
  port: number;
  targetPort: number | string;
  nodePort?: number;
  protocol: ServiceProtocol;
}

export interface HealthCheckSpec {
  type: 'tcp' | 'http';
  port?: number;
  path?: string;
}

export interface ExposureSpec {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  ports: PortSpec[];
  externalTrafficPolicy: TrafficPolicy;
  /** Canonical CIDRs, IPv4 first, each family in request order. */
  sourceRanges: string[];
  labels: Record<string, string>;
  healthCheck?: HealthCheckSpec;
  /** When the exposure is deleted by itself (ISO 8601, UTC); absent: never. */
  expiresAt?: string;
}

/** A port as a create request asks for it: only `port` is required. */
export interface PortRequest {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: ServiceProtocol;
}

/** A create request, as the API's schema has already checked its shape. */
export interface ExposureRequest {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  ports: PortRequest[];
  externalTrafficPolicy?: TrafficPolicy;
  sourceRanges: string[];
  labels?: Record<string, string>;
  healthCheck?: HealthCheckSpec;
  ttlSeconds?: number;
  expiresAt?: string;
}

/** A JSON merge patch (RFC 7396) of the fields that may change; `null` removes a label or expiry. */
export interface ExposurePatch {
  ports?: PortRequest[];
  sourceRanges?: string[];
  labels?: Record<string, string | null>;
  ttlSeconds?: number | null;
  expiresAt?: string | null;
}

/** How far ahead an exposure may expire: shorter is a typo, longer is not temporary. */
export const MIN_TTL_SECONDS = 60;
export const MAX_TTL_SECONDS = 366 * 24 * 3600;

export interface NodePortRange {
  min: number;
  max: number;
}

export interface SpecRules {
  sourceRanges: SourceRangePolicy;
  nodePortRange: NodePortRange;
}

export type SpecDecision = { ok: true; spec: ExposureSpec } | { ok: false; violations: Violation[] };

/** Checks everything about a create request that the schema cannot, and normalises it. */
export function acceptCreateRequest(
  request: ExposureRequest,
  rules: SpecRules,
  nowMs: number = Date.now(),
): SpecDecision {
  const violations: Violation[] = [];
  const expiry = expiryOf(request, nowMs);
  if (typeof expiry === 'object') violations.push(expiry);
  violations.push(...selectorViolations(request.selector));
  const labels = request.labels ?? labelsFromSelector(request.selector);
  violations.push(...labelViolations(labels, request.labels === undefined));
  const ports = request.ports.map(
    (port): PortSpec => ({
      ...(port.name !== undefined && { name: port.name }),
      port: port.port,
      targetPort: port.targetPort ?? port.port,
      ...(port.nodePort !== undefined && { nodePort: port.nodePort }),
      protocol: port.protocol ?? 'TCP',
    }),
  );
  violations.push(...portViolations(ports, rules.nodePortRange));
  const healthCheck = request.healthCheck;
  if (healthCheck) violations.push(...healthCheckViolations(healthCheck, ports));
  const ranges = checkSourceRanges(request.sourceRanges, rules.sourceRanges);
  violations.push(...ranges.violations);
  if (violations.length > 0) return { ok: false, violations };
  return {
    ok: true,
    spec: {
      namespace: request.namespace,
      name: request.name,
      selector: { ...request.selector },
      ports,
      externalTrafficPolicy: request.externalTrafficPolicy ?? 'Cluster',
      sourceRanges: [...ranges.byFamily.IPv4, ...ranges.byFamily.IPv6],
      labels: { ...labels },
      ...(healthCheck && { healthCheck: { ...healthCheck } }),
      ...(typeof expiry === 'string' && { expiresAt: expiry }),
    },
  };
}

/**
 * The labels' violations. Copied from the selector, only their size can be at fault (their keys are
 * the ones a caller may set): that is said of the selector, with the way out.
 */
function labelViolations(labels: Record<string, string>, copiedFromSelector: boolean): Violation[] {
  const violations = userLabelViolations(labels);
  if (!copiedFromSelector) return violations;
  return violations.map((violation) =>
    invalid(
      '/selector',
      `without \`labels\`, the selector's labels are copied to the Service, and here ${violation.detail}; give \`labels\` (\`{}\` for none)`,
    ),
  );
}

function selectorViolations(selector: Record<string, string>): Violation[] {
  const violations: Violation[] = [];
  if (Object.keys(selector).length === 0) {
    violations.push(invalid('/selector', 'the selector must not be empty (it would select no pods)'));
  }
  for (const key of Object.keys(selector)) {
    const problem = labelKeyProblem(key);
    if (problem) violations.push(invalid(`/selector/${pointerToken(key)}`, problem));
  }
  return violations;
}

export function portViolations(ports: readonly PortSpec[], nodePortRange: NodePortRange): Violation[] {
  const violations: Violation[] = [];
  const names = new Map<string, number>();
  const servicePorts = new Map<string, number>();
  const nodePorts = new Map<string, number>();
  ports.forEach((port, index) => {
    const at = `/ports/${index}`;
    if (ports.length > 1 && port.name === undefined) {
      violations.push(invalid(`${at}/name`, 'every port needs a name when there is more than one port'));
    }
    if (port.name !== undefined) {
      const earlier = names.get(port.name);
      if (earlier !== undefined)
        violations.push(invalid(`${at}/name`, `name '${port.name}' repeats /ports/${earlier}/name`));
      else names.set(port.name, index);
    }
    const portKey = `${port.port}/${port.protocol}`;
    const earlierPort = servicePorts.get(portKey);
    if (earlierPort !== undefined) {
      violations.push(
        invalid(`${at}/port`, `${portKey} repeats /ports/${earlierPort} (each port and protocol once)`),
      );
    } else {
      servicePorts.set(portKey, index);
    }
    if (port.nodePort !== undefined) {
      if (port.nodePort < nodePortRange.min || port.nodePort > nodePortRange.max) {
        violations.push(
          invalid(
            `${at}/nodePort`,
            `node port ${port.nodePort} is outside the cluster's NodePort range ${nodePortRange.min}-${nodePortRange.max}; omit it to have one allocated`,
          ),
        );
      }
      const nodePortKey = `${port.nodePort}/${port.protocol}`;
      const earlierNodePort = nodePorts.get(nodePortKey);
      if (earlierNodePort !== undefined) {
        violations.push(
          invalid(`${at}/nodePort`, `node port ${nodePortKey} repeats /ports/${earlierNodePort}/nodePort`),
        );
      } else {
        nodePorts.set(nodePortKey, index);
      }
    }
  });
  return violations;
}

function healthCheckViolations(check: HealthCheckSpec, ports: readonly PortSpec[]): Violation[] {
  const violations: Violation[] = [];
  if (
    check.port !== undefined &&
    !ports.some((port) => port.port === check.port && port.protocol === 'TCP')
  ) {
    violations.push(
      invalid('/healthCheck/port', `port ${check.port} is not one of this exposure's TCP ports`),
    );
  }
  if (check.port === undefined && !ports.some((port) => port.protocol === 'TCP')) {
    violations.push(
      invalid(
        '/healthCheck/port',
        'this exposure has no TCP port to run the health check on; add one to ports',
      ),
    );
  }
  if (check.type === 'tcp' && check.path !== undefined) {
    violations.push(invalid('/healthCheck/path', 'a path applies only to an http health check'));
  }
  return violations;
}

/** The absolute expiry a request asks for (`ttlSeconds` from now, or `expiresAt`), if any. */
function expiryOf(
  request: Pick<ExposureRequest, 'ttlSeconds' | 'expiresAt'>,
  nowMs: number,
): string | Violation | undefined {
  if (request.ttlSeconds !== undefined && request.expiresAt !== undefined) {
    return invalid('/ttlSeconds', 'give ttlSeconds or expiresAt, not both');
  }
  if (request.ttlSeconds !== undefined) return isoSeconds(nowMs + request.ttlSeconds * 1000);
  if (request.expiresAt === undefined) return undefined;
  const at = Date.parse(request.expiresAt);
  if (Number.isNaN(at)) return invalid('/expiresAt', `'${request.expiresAt}' is not a date-time`);
  if (at < nowMs + MIN_TTL_SECONDS * 1000) {
    return invalid('/expiresAt', `must be at least ${MIN_TTL_SECONDS} seconds in the future`);
  }
  if (at > nowMs + MAX_TTL_SECONDS * 1000) {
    return invalid('/expiresAt', `must be within ${MAX_TTL_SECONDS / 86400} days`);
  }
  return isoSeconds(at);
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The fields a merge patch may not change: they identify the workload, not how it is exposed. */
export const IMMUTABLE_FIELDS = [
  'namespace',
  'name',
  'selector',
  'externalTrafficPolicy',
  'healthCheck',
] as const;

export interface PatchedRequest {
  request: ExposureRequest;
  /** An expiry the patch left alone: kept as it is, not validated again (it may be near). */
  carriedExpiresAt?: string;
}

/**
 * The create request an accepted spec came from, with a JSON merge patch (RFC 7396) applied:
 * lists replace lists, a label or expiry set to null is removed. The result is validated like a
 * create, so a patch can never reach a state a create could not.
 */
export function applyMergePatch(spec: ExposureSpec, patch: ExposurePatch): PatchedRequest {
  const labels = { ...spec.labels };
  for (const [key, value] of Object.entries(patch.labels ?? {})) {
    if (value === null) delete labels[key];
    else labels[key] = value;
  }
  const request: ExposureRequest = {
    namespace: spec.namespace,
    name: spec.name,
    selector: { ...spec.selector },
    ports: (patch.ports ?? spec.ports).map((port) => ({ ...port })),
    externalTrafficPolicy: spec.externalTrafficPolicy,
    sourceRanges: [...(patch.sourceRanges ?? spec.sourceRanges)],
    labels,
    ...(spec.healthCheck && { healthCheck: { ...spec.healthCheck } }),
  };
  if (patch.ttlSeconds === undefined && patch.expiresAt === undefined) {
    return spec.expiresAt === undefined ? { request } : { request, carriedExpiresAt: spec.expiresAt };
  }
  if (patch.ttlSeconds !== undefined && patch.ttlSeconds !== null) request.ttlSeconds = patch.ttlSeconds;
  if (patch.expiresAt !== undefined && patch.expiresAt !== null) request.expiresAt = patch.expiresAt;
  return { request };
}
