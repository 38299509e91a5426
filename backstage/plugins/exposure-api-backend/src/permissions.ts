// Resource permissions on the catalog entity whose exposures are read or deleted, so that a policy
// can decide per entity (for instance: only its owners delete).
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/** List, read and follow the exposures of a catalog entity. */
export const exposureReadPermission = createPermission({
  name: 'exposure-api.exposure.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Delete an exposure of a catalog entity. */
export const exposureDeletePermission = createPermission({
  name: 'exposure-api.exposure.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

export const exposureApiPermissions = [exposureReadPermission, exposureDeletePermission];
