import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createExposureApiClients } from '@exposure-api/backstage-plugin-exposure-api-node';
import { exposureApiPermissions } from './permissions.ts';
import { createRouter } from './router.ts';

/** The exposure-api backend plugin: routes under /api/exposure-api. */
export const exposureApiPlugin = createBackendPlugin({
  pluginId: 'exposure-api',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        auth,
        httpAuth,
        userInfo,
        httpRouter,
        permissions,
        permissionsRegistry,
        catalog,
      }) {
        permissionsRegistry.addPermissions(exposureApiPermissions);
        const clients = createExposureApiClients({ config, auth, userInfo });
        httpRouter.use(createRouter({ httpAuth, permissions, catalog, clients, logger }));
      },
    });
  },
});
