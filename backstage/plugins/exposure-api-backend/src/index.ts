// The exposure-api Backstage backend plugin: `backend.add(import('@exposure-api/backstage-plugin-exposure-api-backend'))`.
export { LABEL_SELECTOR_ANNOTATION, NAMESPACE_ANNOTATION } from './entity-scope.ts';
export { exposureApiPermissions, exposureDeletePermission, exposureReadPermission } from './permissions.ts';
export { exposureApiPlugin as default } from './plugin.ts';
