// Authorizers decide what a caller may do to exposures, per verb and namespace, and whom it may
// impersonate. Static authorization answers from configuration; Kubernetes authorization asks
// SubjectAccessReviews on the virtual resource exposures.exposure-api.io.
import type { Principal } from '../principal.ts';

export type ExposureVerb = 'create' | 'get' | 'list' | 'patch' | 'delete';

export interface ImpersonationTarget {
  kind: 'users' | 'groups';
  name: string;
}

export interface Authorizer {
  /**
   * Whether the principal may do `verb` on exposures in `namespace`. Synchronous when the answer
   * is known without an upstream call (static, or cached), so that cached reads stay cheap.
   */
  allowed(principal: Principal, verb: ExposureVerb, namespace: string): boolean | Promise<boolean>;
  /**
   * The same decision when it is known now (static, or cached), else undefined. Asks nobody: for
   * a caller that answers only what needs no waiting and leaves everything else to `allowed`.
   */
  decidedNow(principal: Principal, verb: ExposureVerb, namespace: string): boolean | undefined;
  /** Whether the authenticated caller may act as this user or group. */
  mayImpersonate(caller: Principal, target: ImpersonationTarget): Promise<boolean>;
  /** Namespaces a principal may use under static authorization (empty under Kubernetes authorization). */
  staticNamespaces(identity: { subject: string; groups: readonly string[] }): readonly string[];
}
