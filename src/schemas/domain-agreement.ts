// The domain declares the types it works on; these schemas describe the same data on the wire.
// Each pair below must be the same type, so this file stops compiling when one side gains, loses
// or retypes a field (optional ones too) that the other does not: a request the schema accepts is
// always one the domain can read, and what the domain derives is what the schema serializes. The
// compiler's error names the pair that drifted.
import type { Static } from 'typebox';
import type { Endpoint, EndpointHealth } from '../domain/endpoints.ts';
import type { ExposurePatch, ExposureRequest, PortRequest } from '../domain/exposure-spec.ts';
import type { Condition, Phase } from '../domain/exposure-status.ts';
import type { FirewallIncident, FirewallViewState } from '../domain/firewall-status.ts';
import type { ServiceEventObservation } from '../domain/recent-events.ts';
import type { DerivedStatus } from '../domain/status.ts';
import type * as schemas from './exposure.ts';
import type { ServiceEvent } from './service-events.ts';

/** True when A and B are the same type (not merely assignable: an extra optional field differs). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type AllSame<Pairs extends Record<string, true>> = Pairs;

export type SchemasAgreeWithTheDomain = AllSame<{
  createRequest: Same<schemas.CreateExposureRequest, ExposureRequest>;
  patchRequest: Same<schemas.PatchExposureRequest, ExposurePatch>;
  portRequest: Same<Static<typeof schemas.PortRequest>, PortRequest>;
  condition: Same<schemas.Condition, Condition>;
  phase: Same<schemas.Phase, Phase>;
  status: Same<schemas.ExposureStatus, DerivedStatus>;
  endpointHealth: Same<schemas.EndpointHealth, EndpointHealth>;
  endpoint: Same<schemas.Endpoint, Endpoint>;
  firewallState: Same<schemas.FirewallView['state'], FirewallViewState>;
  firewallIncident: Same<Static<typeof schemas.FirewallIncident>, FirewallIncident>;
  serviceEvent: Same<ServiceEvent, Omit<ServiceEventObservation, 'serviceUid'>>;
}>;
