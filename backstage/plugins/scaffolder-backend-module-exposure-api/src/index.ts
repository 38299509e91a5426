// Scaffolder actions for exposure-api: `backend.add(import('@exposure-api/backstage-plugin-scaffolder-backend-module-exposure-api'))`.
export { createExposureCreateAction } from './actions/create-exposure.ts';
export { createExposureDeleteAction } from './actions/delete-exposure.ts';
export { createExposureGetAction } from './actions/get-exposure.ts';
export { scaffolderModuleExposureApi as default } from './module.ts';
