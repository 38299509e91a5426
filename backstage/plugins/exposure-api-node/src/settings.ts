// The `exposureApi` section of app-config: where exposure-api answers, the credentials the
// Backstage backend calls it with, and whether calls are made on behalf of the signed-in user.
import { readFile } from 'node:fs/promises';
import type { RootConfigService } from '@backstage/backend-plugin-api';
import type { TokenProvider } from '@exposure-api/client';

export interface ExposureApiSettings {
  /** Where exposure-api answers, from inside the cluster (`exposureApi.baseUrl`). */
  baseUrl: string;
  /** Where people reach exposure-api, for links shown in Backstage (`exposureApi.externalUrl`, default `baseUrl`). */
  externalUrl: string;
  /** The static token, or a provider reading the token file for every request. */
  token: string | TokenProvider;
  /** Send the Backstage user (Impersonate-User / Impersonate-Group) with every call. */
  impersonate: boolean;
  /**
   * Kubernetes namespace → the catalog owners (`group:default/search`) whose entities may show and
   * manage its exposures (`exposureApi.namespaces`). A namespace not listed belongs to no entity.
   */
  namespaceOwners: ReadonlyMap<string, readonly string[]>;
}

/** Reads and checks `exposureApi.*`; a missing or contradictory setting stops the backend with a message. */
export function readExposureApiSettings(config: RootConfigService): ExposureApiSettings {
  const section = config.getConfig('exposureApi');
  const baseUrl = withoutTrailingSlash(section.getString('baseUrl'));
  const token = section.getOptionalString('token');
  const tokenFile = section.getOptionalString('tokenFile');
  if ((token === undefined) === (tokenFile === undefined)) {
    throw new Error(
      'exposureApi: set exactly one of token (a static token) and tokenFile (a file holding the token, read for every request)',
    );
  }
  // A list rather than a map: Backstage config keys cannot hold every namespace name (`team-2`).
  const namespaces = section.getOptionalConfigArray('namespaces') ?? [];
  return {
    baseUrl,
    externalUrl: withoutTrailingSlash(section.getOptionalString('externalUrl') ?? baseUrl),
    // A projected ServiceAccount token is rotated by the kubelet: read the file for every request.
    token: token ?? (() => readFile(tokenFile as string, 'utf8')),
    impersonate: section.getOptionalBoolean('impersonate') ?? false,
    namespaceOwners: new Map(
      namespaces.map((namespace) => [namespace.getString('name'), namespace.getStringArray('owners')]),
    ),
  };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
