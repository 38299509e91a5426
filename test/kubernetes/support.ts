// Shared set-up of the real-Kubernetes tests: a control plane with exposure-api's RBAC granted to
// its own identity, and the adapter running as that identity (never as the admin).

import type { InformerTiming } from '../../src/adapters/kubernetes/informer.ts';
import { loadKubeConfig } from '../../src/adapters/kubernetes/kubeconfig.ts';
import {
  createKubernetesCluster,
  type KubernetesCluster,
  type KubernetesClusterOptions,
} from '../../src/adapters/kubernetes/kubernetes-cluster.ts';
import type { UpstreamCall, UpstreamCallRecorder } from '../../src/application/ports/telemetry.ts';
import type { ServiceManifest } from '../../src/domain/cluster-objects.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import {
  EXPOSURE_ID_LABEL,
  FIREWALL_FINALIZER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SPEC_ANNOTATION,
} from '../../src/domain/naming.ts';
import { type ControlPlane, SERVICE_USER } from '../../tools/controlplane/index.ts';
import { grantExposureApiRbac } from './rbac.ts';

export const LEASE_NAMESPACE = 'exposure-api';

/** Quick retries, so that recovery after an outage takes a test a second, not half a minute. */
export const FAST_INFORMERS: Partial<InformerTiming> = { backoffInitialMs: 100, backoffMaxMs: 1_000 };

export function grantServiceIdentity(controlPlane: ControlPlane): Promise<void> {
  return grantExposureApiRbac(controlPlane, {
    subject: { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: SERVICE_USER },
    leaseNamespace: LEASE_NAMESPACE,
  });
}

/** Remembers every call the adapter reports. */
export class CallLog implements UpstreamCallRecorder {
  readonly calls: UpstreamCall[] = [];
  record(call: UpstreamCall): void {
    this.calls.push(call);
  }
}

export function serviceCluster(
  controlPlane: ControlPlane,
  options: Partial<Omit<KubernetesClusterOptions, 'kubeConfig'>> = {},
): KubernetesCluster {
  return createKubernetesCluster({
    kubeConfig: loadKubeConfig({ kubeconfig: controlPlane.kubeconfigPath('service') }),
    informerTiming: FAST_INFORMERS,
    instance: 'exposure-api-test',
    ...options,
  });
}

export interface LoggedLine {
  level: 'info' | 'warn';
  details: Record<string, unknown>;
  message: string;
}

/** Keeps what the adapter logs, so tests can see retries and relists happen. */
export class LogSpy {
  readonly lines: LoggedLine[] = [];
  info(details: object, message: string): void {
    this.lines.push({ level: 'info', details: details as Record<string, unknown>, message });
  }
  warn(details: object, message: string): void {
    this.lines.push({ level: 'warn', details: details as Record<string, unknown>, message });
  }
  count(message: string, resource?: string): number {
    return this.lines.filter(
      (line) => line.message === message && (resource === undefined || line.details.resource === resource),
    ).length;
  }
}

/** A Service as exposure-api would create it. */
export function managedManifest(
  namespace: string,
  name: string,
  overrides: Partial<ServiceManifest> = {},
): ServiceManifest {
  return {
    namespace,
    name,
    labels: { app: 'web', [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [EXPOSURE_ID_LABEL]: newExposureId() },
    annotations: { [SPEC_ANNOTATION]: '{"test":true}' },
    finalizers: [FIREWALL_FINALIZER],
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    externalTrafficPolicy: 'Cluster',
    ...overrides,
  };
}
