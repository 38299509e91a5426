// What the exposure-api Backstage packages share.
export type { Endpoint, Exposure, ExposureClient, WatchEvent } from '@exposure-api/client';
export { ExposureApiError } from '@exposure-api/client';
export {
  createExposureApiClients,
  type ExposureApiClients,
  type ExposureApiClientsOptions,
} from './clients.ts';
export { describeProblem, toBackstageError, withBackstageErrors } from './errors.ts';
export { type ExposureApiSettings, readExposureApiSettings } from './settings.ts';
