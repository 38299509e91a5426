// The calls route tests make to /exposures, through app.inject on a sandbox: each carries a
// caller's token (the search team's unless the defaults or the call say otherwise) and the content
// type its method takes, so that a test spells out only what it is about.
import assert from 'node:assert/strict';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Exposure, ExposureList } from '../../src/schemas/exposure.ts';
import type { Problem } from '../../src/schemas/problem.ts';
import type { ServiceEventList } from '../../src/schemas/service-events.ts';
import { eventually } from './eventually.ts';
import { call, type JsonResponse, SEARCH_TEAM } from './test-sandbox.ts';

export type Headers = Record<string, string>;

export interface ExposureApi {
  /** POST /exposures with a JSON body. */
  create(body: unknown, headers?: Headers): Promise<JsonResponse<Exposure>>;
  /** GET /exposures/{id}, with a query string such as `?endpointLimit=2`. */
  read(id: string, query?: string, headers?: Headers): Promise<JsonResponse<Exposure>>;
  /** GET /exposures, with a query string such as `?namespace=search`. */
  list(query?: string, headers?: Headers): Promise<JsonResponse<ExposureList>>;
  /** GET /exposures/{id}/events, with a query string such as `?limit=1`. */
  events(id: string, query?: string, headers?: Headers): Promise<JsonResponse<ServiceEventList>>;
  /** PATCH /exposures/{id} with a merge patch. */
  patch(id: string, body: unknown, headers?: Headers): Promise<JsonResponse<Exposure>>;
  /** DELETE /exposures/{id}. */
  remove(id: string, headers?: Headers): Promise<JsonResponse<Exposure>>;
  /** Reads the exposure until `accept` holds (the reconciler works in the background). */
  readUntil(
    id: string,
    accept: (exposure: Exposure) => boolean,
    options: { what: string; timeoutMs?: number },
  ): Promise<JsonResponse<Exposure>>;
}

export function exposureApi(sandbox: Sandbox, defaults: Headers = {}): ExposureApi {
  const headersOf = (headers: Headers) => ({ authorization: SEARCH_TEAM, ...defaults, ...headers });
  const read = (id: string, query = '', headers: Headers = {}) =>
    call<Exposure>(sandbox, { method: 'GET', url: `/exposures/${id}${query}`, headers: headersOf(headers) });
  return {
    create: (body, headers = {}) =>
      call<Exposure>(sandbox, {
        method: 'POST',
        url: '/exposures',
        headers: headersOf({ 'content-type': 'application/json', ...headers }),
        payload: JSON.stringify(body),
      }),
    read,
    events: (id, query = '', headers = {}) =>
      call<ServiceEventList>(sandbox, {
        method: 'GET',
        url: `/exposures/${id}/events${query}`,
        headers: headersOf(headers),
      }),
    list: (query = '', headers = {}) =>
      call<ExposureList>(sandbox, { method: 'GET', url: `/exposures${query}`, headers: headersOf(headers) }),
    patch: (id, body, headers = {}) =>
      call<Exposure>(sandbox, {
        method: 'PATCH',
        url: `/exposures/${id}`,
        headers: headersOf({ 'content-type': 'application/merge-patch+json', ...headers }),
        payload: JSON.stringify(body),
      }),
    remove: (id, headers = {}) =>
      call<Exposure>(sandbox, { method: 'DELETE', url: `/exposures/${id}`, headers: headersOf(headers) }),
    readUntil: (id, accept, options) =>
      eventually(
        () => read(id),
        (response) => accept(response.body),
        options,
      ),
  };
}

/** Holds a response to an RFC 9457 problem of `status` and gives that problem. */
export function expectProblem(response: JsonResponse<unknown>, status: number): Problem {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  return problemOf(response);
}

/** The RFC 9457 problem an error response carries. */
export function problemOf(response: JsonResponse<unknown>): Problem {
  return response.body as Problem;
}

/** The FirewallReady condition of an exposure's status. */
export function firewallCondition(exposure: Exposure): Exposure['status']['conditions'][number] | undefined {
  return exposure.status.conditions.find((condition) => condition.type === 'FirewallReady');
}
