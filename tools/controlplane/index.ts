// The control-plane toolchain as tests and the test runner use it: the real-Kubernetes tier (binaries
// built once into a cache, a control plane per test or per suite) and the types that come with it.
export type { AuditEvent } from './audit.ts';
export {
  type Availability,
  controlPlaneAvailability,
  ensureControlPlaneBinaries,
  ensureHelm,
} from './binaries.ts';
export type { ControlPlaneBinaries } from './build-recipe.ts';
export { type CommandResult, run as runCommand } from './command.ts';
export {
  type ControlPlane,
  type ControlPlaneOptions,
  type Identity,
  type KubectlOptions,
  SERVICE_GROUPS,
  SERVICE_USER,
} from './control-plane.ts';
export type { ApiRequestOptions, ApiResponse } from './http.ts';
export {
  CONTROL_PLANE_BIN_ENV,
  CONTROL_PLANE_SKIP_ENV,
  controlPlaneForTests,
  controlPlaneSkipReason,
  controlPlaneTier,
  HELM_ENV,
  helmForTests,
  isCi,
  KUBERNETES_VERSION_ENV,
  startControlPlane,
} from './tier.ts';
