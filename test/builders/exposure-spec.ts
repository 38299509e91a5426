// An accepted exposure spec (what a create request becomes once the domain has filled in its
// defaults) and a new exposure around it, as POST /exposures hands them to the cluster.

import type { ServiceManifest } from '../../src/domain/cluster-objects.ts';
import type { ExposureId } from '../../src/domain/exposure-id.ts';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { type NewExposure, serviceManifestFor } from '../../src/domain/exposure-record.ts';
import type { ExposureSpec } from '../../src/domain/exposure-spec.ts';

/** Elasticsearch's HTTP port, node port left to the cluster. A workload selects `app: <name>`. */
export function exposureSpec(overrides: Partial<ExposureSpec> = {}): ExposureSpec {
  const name = overrides.name ?? 'elasticsearch';
  return {
    namespace: 'search',
    name,
    selector: { app: name },
    ports: [{ name: 'http', port: 9200, targetPort: 9200, protocol: 'TCP' }],
    externalTrafficPolicy: 'Cluster',
    sourceRanges: ['203.0.113.0/24'],
    labels: {},
    ...overrides,
  };
}

/** The parts of a new exposure besides its spec; a fresh id unless one is given. */
export interface ExposureFields {
  id?: ExposureId;
  clusterId?: string;
  createdBy?: string;
  generation?: number;
}

export function newExposure(spec: Partial<ExposureSpec> = {}, fields: ExposureFields = {}): NewExposure {
  return {
    id: fields.id ?? newExposureId(),
    clusterId: fields.clusterId ?? 'sandbox',
    createdBy: fields.createdBy ?? 'test',
    generation: fields.generation ?? 1,
    spec: exposureSpec(spec),
  };
}

/** The Service that records a new exposure, as the service writes it to the cluster. */
export function exposureManifest(
  spec: Partial<ExposureSpec> = {},
  fields: ExposureFields = {},
): ServiceManifest {
  return serviceManifestFor(newExposure(spec, fields));
}
