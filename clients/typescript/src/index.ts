// A typed client for exposure-api, for Backstage backend plugins and other TypeScript callers.
// The types come from the service's OpenAPI document (src/schema.ts is generated from it), so a
// change of the API shows up here as a type error, not as a surprise at run time.
import createClient, { type Client } from 'openapi-fetch';
import { applyCredentials, type Impersonation, type TokenProvider } from './credentials.ts';
import { ExposureApiError, isProblem, type Problem } from './errors.ts';
import type { components, paths } from './schema.ts';
import { type ReconnectOptions, type WatchEvent, type WatchOptions, watchExposure } from './watch.ts';

export type Exposure = components['schemas']['Exposure'];
export type ExposureSummary = components['schemas']['ExposureSummary'];
export type ExposureList = components['schemas']['ExposureList'];
export type CreateExposureRequest = components['schemas']['CreateExposureRequest'];
export type PatchExposureRequest = components['schemas']['PatchExposureRequest'];
export type Endpoint = components['schemas']['Endpoint'];
export type Phase = components['schemas']['Phase'];
export type ServiceEvent = components['schemas']['ServiceEvent'];
export type ServiceEventList = components['schemas']['ServiceEventList'];
export type {
  components,
  Impersonation,
  Problem,
  paths,
  ReconnectOptions,
  TokenProvider,
  WatchEvent,
  WatchOptions,
};
export { ExposureApiError };

export interface ExposureClientOptions {
  /** Where exposure-api answers, e.g. `http://exposure-api.exposure-api.svc:8080`. */
  baseUrl: string;
  /** A bearer token the installation knows, or a function that returns one (called for every request). */
  token: string | TokenProvider;
  /**
   * The user the calls are made for (`Impersonate-User` and `Impersonate-Group` headers), for a
   * caller that acts for people, such as a Backstage backend.
   */
  impersonate?: Impersonation;
  /** A fetch implementation (default: the global one; Backstage passes its own). */
  fetch?: (input: Request) => Promise<Response>;
  /** How `watchExposure` reconnects after a dropped connection (each watch may override it). */
  reconnect?: ReconnectOptions;
}

export interface WithEtag<T> {
  value: T;
  etag: string | undefined;
}

export interface ExposureClient {
  /** Creates an exposure; `waitSeconds` answers once Ready (or Failed), `idempotencyKey` makes retries safe. */
  create(
    request: CreateExposureRequest,
    options?: { waitSeconds?: number; idempotencyKey?: string },
  ): Promise<WithEtag<Exposure>>;
  get(id: string, options?: { refresh?: boolean }): Promise<WithEtag<Exposure>>;
  list(query?: paths['/exposures']['get']['parameters']['query']): Promise<ExposureList>;
  /** Every page of a listing. */
  listAll(
    query?: Omit<NonNullable<paths['/exposures']['get']['parameters']['query']>, 'cursor'>,
  ): Promise<ExposureSummary[]>;
  patch(id: string, patch: PatchExposureRequest, options?: { ifMatch?: string }): Promise<WithEtag<Exposure>>;
  /** The exposure's recent events (created, drifted, repaired, failed …), newest first. */
  exposureEvents(id: string, options?: { limit?: number }): Promise<ServiceEventList>;
  /** Deletes; resolves `deleted` once gone, or `deleting` with the exposure if it takes longer. */
  delete(
    id: string,
    options?: { ifMatch?: string; waitSeconds?: number },
  ): Promise<{ state: 'deleted' } | { state: 'deleting'; exposure: Exposure }>;
  /**
   * Follows an exposure: the exposure now, then again on every change, until it is deleted (a
   * `deleted` event ends the iteration) or `signal` aborts (the iteration just ends). A dropped
   * connection is resumed from the last event id, with backoff; problems (401, 404 …) throw
   * `ExposureApiError`. The connection opens when the iteration starts.
   */
  watchExposure(id: string, options?: WatchOptions): AsyncIterable<WatchEvent>;
  /** The underlying openapi-fetch client, for anything not wrapped here. */
  readonly raw: Client<paths>;
}

export function createExposureClient(options: ExposureClientOptions): ExposureClient {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const credentials = { token: options.token, impersonate: options.impersonate };
  const raw = createClient<paths>({
    baseUrl,
    headers: { accept: 'application/json' },
    ...(options.fetch && { fetch: options.fetch }),
  });
  raw.use({
    async onRequest({ request }) {
      await applyCredentials(request.headers, credentials);
      return request;
    },
  });

  function fail(response: Response, error: unknown): never {
    throw new ExposureApiError(response.status, isProblem(error) ? error : undefined);
  }

  return {
    raw,
    watchExposure(id, watchOptions) {
      return watchExposure(
        {
          baseUrl,
          fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
          credentials,
          ...(options.reconnect && { reconnect: options.reconnect }),
        },
        id,
        watchOptions,
      );
    },
    async create(request, createOptions = {}) {
      const { data, error, response } = await raw.POST('/exposures', {
        body: request,
        params: {
          header: {
            ...(createOptions.waitSeconds !== undefined && { prefer: `wait=${createOptions.waitSeconds}` }),
            ...(createOptions.idempotencyKey !== undefined && {
              'idempotency-key': createOptions.idempotencyKey,
            }),
          },
        },
      });
      if (!data) fail(response, error);
      return { value: data, etag: response.headers.get('etag') ?? undefined };
    },
    async get(id, getOptions = {}) {
      const { data, error, response } = await raw.GET('/exposures/{id}', {
        params: { path: { id }, query: getOptions.refresh ? { refresh: true } : {} },
      });
      if (!data) fail(response, error);
      return { value: data, etag: response.headers.get('etag') ?? undefined };
    },
    async list(query = {}) {
      const { data, error, response } = await raw.GET('/exposures', { params: { query } });
      if (!data) fail(response, error);
      return data;
    },
    async listAll(query = {}) {
      const items: ExposureSummary[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.list({ ...query, ...(cursor !== undefined && { cursor }) });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    },
    async patch(id, patch, patchOptions = {}) {
      const { data, error, response } = await raw.PATCH('/exposures/{id}', {
        params: { path: { id }, header: patchOptions.ifMatch ? { 'if-match': patchOptions.ifMatch } : {} },
        body: patch,
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      if (!data) fail(response, error);
      return { value: data, etag: response.headers.get('etag') ?? undefined };
    },
    async exposureEvents(id, eventOptions = {}) {
      const { data, error, response } = await raw.GET('/exposures/{id}/events', {
        params: {
          path: { id },
          query: eventOptions.limit !== undefined ? { limit: eventOptions.limit } : {},
        },
      });
      if (!data) fail(response, error);
      return data;
    },
    async delete(id, deleteOptions = {}) {
      const { data, error, response } = await raw.DELETE('/exposures/{id}', {
        params: {
          path: { id },
          header: {
            ...(deleteOptions.ifMatch !== undefined && { 'if-match': deleteOptions.ifMatch }),
            ...(deleteOptions.waitSeconds !== undefined && { prefer: `wait=${deleteOptions.waitSeconds}` }),
          },
        },
      });
      if (response.status === 204) return { state: 'deleted' };
      if (response.status === 202 && data) return { state: 'deleting', exposure: data };
      fail(response, error);
    },
  };
}
