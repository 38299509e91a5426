// A typed client for exposure-api, for Backstage backend plugins and other TypeScript callers.
// The types come from the service's OpenAPI document (src/schema.ts is generated from it), so a
// change of the API shows up here as a type error, not as a surprise at run time.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export type Exposure = components['schemas']['Exposure'];
export type ExposureSummary = components['schemas']['ExposureSummary'];
export type ExposureList = components['schemas']['ExposureList'];
export type CreateExposureRequest = components['schemas']['CreateExposureRequest'];
export type PatchExposureRequest = components['schemas']['PatchExposureRequest'];
export type Endpoint = components['schemas']['Endpoint'];
export type Problem = components['schemas']['Problem'];
export type Phase = components['schemas']['Phase'];
export type { components, paths };

export interface ExposureClientOptions {
  /** Where exposure-api answers, e.g. `http://exposure-api.exposure-api.svc:8080`. */
  baseUrl: string;
  /** A bearer token the installation knows. */
  token: string;
  /** A fetch implementation (default: the global one; Backstage passes its own). */
  fetch?: (input: Request) => Promise<Response>;
}

/** A problem the API answered (RFC 9457), with the HTTP status and, for 4xx, the fields at fault. */
export class ExposureApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(problem ? `${problem.title}: ${problem.detail ?? ''}`.trim() : `exposure-api answered ${status}`);
    this.name = 'ExposureApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The stable problem type, e.g. `/problems/node-port-taken`. */
  get type(): string | undefined {
    return this.problem?.type;
  }
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
  /** Deletes; resolves `deleted` once gone, or `deleting` with the exposure if it takes longer. */
  delete(
    id: string,
    options?: { ifMatch?: string; waitSeconds?: number },
  ): Promise<{ state: 'deleted' } | { state: 'deleting'; exposure: Exposure }>;
  /** The underlying openapi-fetch client, for anything not wrapped here. */
  readonly raw: Client<paths>;
}

export function createExposureClient(options: ExposureClientOptions): ExposureClient {
  const raw = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
    ...(options.fetch && { fetch: options.fetch }),
  });

  function fail(response: Response, error: unknown): never {
    throw new ExposureApiError(response.status, isProblem(error) ? error : undefined);
  }

  return {
    raw,
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

function isProblem(value: unknown): value is Problem {
  return value !== null && typeof value === 'object' && 'type' in value && 'status' in value;
}
