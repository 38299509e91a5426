// Services as the cluster holds them: one shaped as exposure-api creates it (for the adapters and
// the Cluster contract, where what the spec says does not matter), and a manifest as the cluster
// stores it once created (allocated node ports, server-set fields).
import type { ObservedService, ServiceManifest } from '../../src/domain/cluster-objects.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import {
  EXPOSURE_ID_LABEL,
  FIREWALL_FINALIZER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SPEC_ANNOTATION,
} from '../../src/domain/naming.ts';

/** A managed Service of app=web with a fresh exposure id, its finalizer and a placeholder spec. */
export function managedServiceManifest(
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

/** What the cluster stores for a created manifest: node ports from 31000 where none was asked for. */
export function observedService(
  manifest: ServiceManifest,
  extra: Partial<ObservedService> = {},
): ObservedService {
  return {
    ...manifest,
    uid: '6f1c0c1e-0000-4000-8000-000000000001',
    resourceVersion: '42',
    creationTimestamp: '2026-11-27T10:00:00Z',
    ports: manifest.ports.map((port, index) => ({ ...port, nodePort: port.nodePort ?? 31000 + index })),
    ...extra,
  };
}
