import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createExposureApiClients } from '@exposure-api/backstage-plugin-exposure-api-node';
import { createExposureCreateAction } from './actions/create-exposure.ts';
import { createExposureDeleteAction } from './actions/delete-exposure.ts';
import { createExposureGetAction } from './actions/get-exposure.ts';

/** Adds the exposure-api:exposure:* actions to the scaffolder. */
export const scaffolderModuleExposureApi = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'exposure-api',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
      },
      async init({ scaffolder, config, auth, userInfo }) {
        const clients = createExposureApiClients({ config, auth, userInfo });
        scaffolder.addActions(
          createExposureCreateAction({ clients }),
          createExposureGetAction({ clients }),
          createExposureDeleteAction({ clients }),
        );
      },
    });
  },
});
