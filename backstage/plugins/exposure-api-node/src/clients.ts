// Clients of exposure-api for a Backstage backend: one per call site's credentials, so that, with
// `exposureApi.impersonate`, every call carries the Backstage user it is made for and the service can
// apply that user's rights instead of the plugin's.
import type {
  AuthService,
  BackstageCredentials,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { createExposureClient, type ExposureClient, type Impersonation } from '@exposure-api/client';
import { type ExposureApiSettings, readExposureApiSettings } from './settings.ts';

export interface ExposureApiClients {
  readonly settings: ExposureApiSettings;
  /**
   * A client calling with the plugin's token; with `exposureApi.impersonate`, on behalf of the user
   * behind `credentials` (refused for any other principal, which would act with the plugin's rights).
   */
  forCredentials(credentials: BackstageCredentials): Promise<ExposureClient>;
}

export interface ExposureApiClientsOptions {
  config: RootConfigService;
  auth: AuthService;
  userInfo: UserInfoService;
}

export function createExposureApiClients(options: ExposureApiClientsOptions): ExposureApiClients {
  const settings = readExposureApiSettings(options.config);
  const clientFor = (impersonate?: Impersonation) =>
    createExposureClient({
      baseUrl: settings.baseUrl,
      token: settings.token,
      ...(impersonate && { impersonate }),
    });
  const asPlugin = clientFor();
  return {
    settings,
    async forCredentials(credentials) {
      if (!settings.impersonate) return asPlugin;
      return clientFor(await impersonationOf(options, credentials));
    },
  };
}

/** The user and the groups they belong to, as the catalog knows them (their ownership references). */
async function impersonationOf(
  { auth, userInfo }: ExposureApiClientsOptions,
  credentials: BackstageCredentials,
): Promise<Impersonation> {
  if (!auth.isPrincipal(credentials, 'user')) {
    throw new NotAllowedError(
      'exposure-api is called on behalf of the signed-in user (exposureApi.impersonate), and this request has no user',
    );
  }
  const { userEntityRef, ownershipEntityRefs } = await userInfo.getUserInfo(credentials);
  return { user: userEntityRef, groups: ownershipEntityRefs.filter((ref) => ref !== userEntityRef) };
}
