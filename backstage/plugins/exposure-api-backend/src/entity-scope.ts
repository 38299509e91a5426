// Which exposures belong to a catalog entity: those in its Kubernetes namespace that match its label
// selector. The annotations are written by the entity's authors, so they alone never decide: the
// namespace counts only where the installation gives it to the entity's owner
// (`exposureApi.namespaces`), and the selector only narrows within that namespace. A catalog author
// cannot reach another team's exposures by pointing an annotation at their namespace.
import { type Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

export const NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';
export const LABEL_SELECTOR_ANNOTATION = 'backstage.io/kubernetes-label-selector';

export type EntityScope =
  | { kind: 'scoped'; namespace: string; labelSelector: string }
  | { kind: 'none'; reason: string };

export function scopeOfEntity(
  entity: Entity,
  namespaceOwners: ReadonlyMap<string, readonly string[]>,
): EntityScope {
  const annotations = entity.metadata.annotations ?? {};
  const namespace = annotations[NAMESPACE_ANNOTATION]?.trim();
  const labelSelector = annotations[LABEL_SELECTOR_ANNOTATION]?.trim();
  if (!namespace) return { kind: 'none', reason: `no ${NAMESPACE_ANNOTATION} annotation` };
  if (!labelSelector) return { kind: 'none', reason: `no ${LABEL_SELECTOR_ANNOTATION} annotation` };
  const owner = ownerOf(entity);
  const owners = (namespaceOwners.get(namespace) ?? []).map((ref) => normalizedOwner(ref, 'default'));
  if (owner === undefined || !owners.includes(owner)) {
    return {
      kind: 'none',
      reason: `namespace ${namespace} is not given to the entity's owner (${owner ?? 'none'}) in exposureApi.namespaces`,
    };
  }
  return { kind: 'scoped', namespace, labelSelector };
}

function ownerOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || owner === '') return undefined;
  return normalizedOwner(owner, entity.metadata.namespace ?? 'default');
}

/** `search` → `group:default/search`, as the catalog resolves `spec.owner`. */
function normalizedOwner(ref: string, defaultNamespace: string): string {
  return stringifyEntityRef(parseEntityRef(ref, { defaultKind: 'group', defaultNamespace }));
}
