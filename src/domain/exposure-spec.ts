// The accepted spec of an exposure: the request after validation and defaulting. It is what the
// Service's spec annotation stores and what the ETag hashes, so it holds what the caller asked
// for (a node port only if one was requested), never what the cluster decided.
import type { CreateExposureRequest } from '../schemas/exposure.ts';
import type { ServiceProtocol, TrafficPolicy } from './cluster-objects.ts';
import { labelKeyProblem } from './label-key.ts';
import { isManagedLabelKey } from './naming.ts';
import { checkSourceRanges, type SourceRangePolicy } from './source-range-policy.ts';
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
}

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
export function acceptCreateRequest(request: CreateExposureRequest, rules: SpecRules): SpecDecision {
  const violations: Violation[] = [];
  violations.push(...selectorViolations(request.selector));
  violations.push(...userLabelViolations(request.labels ?? {}));
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
      labels: { ...(request.labels ?? {}) },
      ...(healthCheck && { healthCheck: { ...healthCheck } }),
    },
  };
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

function userLabelViolations(labels: Record<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const key of Object.keys(labels)) {
    const pointer = `/labels/${pointerToken(key)}`;
    const problem = labelKeyProblem(key);
    if (problem) {
      violations.push(invalid(pointer, problem));
    } else if (isManagedLabelKey(key)) {
      violations.push(invalid(pointer, `'${key}' is managed by exposure-api and cannot be set`));
    }
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
