// The Compute Engine REST methods the emulator implements: firewalls insert/list/get/patch/
// update/delete and global operations get/wait, under `/compute/v1/projects/{project}/`.
// One request in, one JSON answer out; the HTTP server and the batch endpoint both call here.

import { ApiError, alreadyExists, forbidden, invalidField, notFound, unknownPath } from './api-error.ts';
import {
  applySelection,
  checkSelection,
  FIREWALL_FIELDS,
  FIREWALL_LIST_FIELDS,
  type FieldSchema,
  parseFieldMask,
} from './field-mask.ts';
import { parseJsonBody, readFirewallBody } from './firewall-body.ts';
import {
  type FirewallFields,
  type FirewallRule,
  toFields,
  toJson,
  withServerDefaults,
} from './firewall-resource.ts';
import type { FirewallStore } from './firewall-store.ts';
import { validateFirewall } from './firewall-validation.ts';
import { firewallPath, firewallsPath, operationPath, selfLink } from './links.ts';
import { parseListFilter } from './list-filter.ts';
import type { OperationFailure, Operations } from './operations.ts';
import type { ResourceIds } from './resource-ids.ts';

export interface ApiRequest {
  method: string;
  /** Path without the query, e.g. `/compute/v1/projects/p/global/firewalls`. */
  path: string;
  query: URLSearchParams;
  body: string;
  /** The `X-Goog-FieldMask` header; the `fields` query parameter says the same. */
  fieldMask?: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ComputeApiDependencies {
  store: FirewallStore;
  operations: Operations;
  ids: ResourceIds;
  firewallQuota(project: string): number;
  isDenied(project: string): boolean;
}

type Handler = (request: ApiRequest, params: string[]) => Promise<unknown> | unknown;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  /** The fields of what the method answers, for partial responses (`fields`). */
  fields?: FieldSchema;
}

const maxPageSize = 500;

export class ComputeApi {
  readonly #deps: ComputeApiDependencies;
  readonly #routes: Route[];

  constructor(deps: ComputeApiDependencies) {
    this.#deps = deps;
    const firewalls = /^\/compute\/v1\/projects\/([^/]+)\/global\/firewalls$/;
    const firewall = /^\/compute\/v1\/projects\/([^/]+)\/global\/firewalls\/([^/]+)$/;
    const operation = /^\/compute\/v1\/projects\/([^/]+)\/global\/operations\/([^/]+)$/;
    const operationWait = /^\/compute\/v1\/projects\/([^/]+)\/global\/operations\/([^/]+)\/wait$/;
    this.#routes = [
      { method: 'POST', pattern: firewalls, handler: (r, [p = '']) => this.#insert(p, r) },
      {
        method: 'GET',
        pattern: firewalls,
        handler: (r, [p = '']) => this.#list(p, r.query),
        fields: FIREWALL_LIST_FIELDS,
      },
      {
        method: 'GET',
        pattern: firewall,
        handler: (_, [p = '', n = '']) => this.#get(p, n),
        fields: FIREWALL_FIELDS,
      },
      { method: 'PATCH', pattern: firewall, handler: (r, [p = '', n = '']) => this.#patch(p, n, r) },
      { method: 'PUT', pattern: firewall, handler: (r, [p = '', n = '']) => this.#update(p, n, r) },
      { method: 'DELETE', pattern: firewall, handler: (_, [p = '', n = '']) => this.#delete(p, n) },
      { method: 'GET', pattern: operation, handler: (_, [p = '', o = '']) => this.#getOperation(p, o) },
      { method: 'POST', pattern: operationWait, handler: (_, [p = '', o = '']) => this.#waitOperation(p, o) },
    ];
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    try {
      for (const route of this.#routes) {
        const match = route.method === request.method ? route.pattern.exec(request.path) : null;
        if (match) {
          const params = match.slice(1).map((segment) => decodeURIComponent(segment));
          const mask = request.query.get('fields') ?? request.fieldMask;
          const selection = mask ? parseFieldMask(mask) : undefined;
          if (selection && route.fields) checkSelection(selection, route.fields, mask ?? '');
          const body = await route.handler(request, params);
          return { status: 200, body: selection ? applySelection(body, selection) : body };
        }
      }
      throw unknownPath();
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, body: error.toEnvelope() };
      throw error;
    }
  }

  #insert(project: string, request: ApiRequest): unknown {
    const fields = readFirewallBody(parseJsonBody(request.body));
    const path = firewallPath(project, fields.name ?? '');
    this.#authorize(project, 'compute.firewalls.create', path);
    validateFirewall(fields, project);
    const { store, operations, ids } = this.#deps;
    if (store.get(project, fields.name ?? '')) throw alreadyExists(path);
    const link = selfLink(path);
    const id = ids.next();
    const quota = this.#deps.firewallQuota(project);
    if (store.count(project) >= quota) {
      return operations.start(project, 'insert', { link, id }, quotaExceeded(quota));
    }
    const creationTimestamp = new Date().toISOString();
    store.put(project, withServerDefaults(fields, project, { id, creationTimestamp, selfLink: link }));
    return operations.start(project, 'insert', { link, id });
  }

  #list(project: string, query: URLSearchParams): unknown {
    this.#authorize(project, 'compute.firewalls.list', `projects/${project}`);
    const pageSize = readPageSize(query.get('maxResults'));
    const afterName = readPageToken(query.get('pageToken'));
    const matches = parseListFilter(query.get('filter'));
    const items: Record<string, unknown>[] = [];
    let nextPageToken: string | undefined;
    for (const rule of this.#deps.store.inOrder(project, afterName)) {
      const json = toJson(rule);
      if (!matches(json)) continue;
      if (items.length === pageSize) {
        nextPageToken = pageTokenAfter(items.at(-1)?.name);
        break;
      }
      items.push(json);
    }
    const list: Record<string, unknown> = {
      kind: 'compute#firewallList',
      id: firewallsPath(project),
      selfLink: selfLink(firewallsPath(project)),
    };
    if (items.length > 0) list.items = items;
    if (nextPageToken) list.nextPageToken = nextPageToken;
    return list;
  }

  #get(project: string, name: string): unknown {
    const path = firewallPath(project, name);
    this.#authorize(project, 'compute.firewalls.get', path);
    const rule = this.#deps.store.get(project, name);
    if (!rule) throw notFound(path);
    return toJson(rule);
  }

  /** JSON merge patch: fields given replace the stored ones (lists whole), `null` clears. */
  #patch(project: string, name: string, request: ApiRequest): unknown {
    const path = firewallPath(project, name);
    this.#authorize(project, 'compute.firewalls.update', path);
    const existing = this.#deps.store.get(project, name);
    if (!existing) throw notFound(path);
    const changes = readFirewallBody(parseJsonBody(request.body));
    const merged: FirewallFields = { ...toFields(existing), ...changes, name };
    if ('enableLogging' in changes && !('logConfig' in changes)) {
      merged.logConfig = { enable: changes.enableLogging ?? false };
    }
    return this.#replace(project, existing, merged, changes.name, 'patch');
  }

  /**
   * PUT: the body is the whole new rule; everything it leaves out takes its default again,
   * except the network, which a rule keeps for life.
   */
  #update(project: string, name: string, request: ApiRequest): unknown {
    const path = firewallPath(project, name);
    this.#authorize(project, 'compute.firewalls.update', path);
    const existing = this.#deps.store.get(project, name);
    if (!existing) throw notFound(path);
    const fields = readFirewallBody(parseJsonBody(request.body));
    const replacement = { ...fields, name, network: fields.network ?? existing.network };
    return this.#replace(project, existing, replacement, fields.name, 'update');
  }

  #replace(
    project: string,
    existing: FirewallRule,
    fields: FirewallFields,
    nameInBody: string | undefined,
    operationType: 'patch' | 'update',
  ): unknown {
    if (nameInBody !== undefined && nameInBody !== existing.name) {
      throw invalidField('resource.name', nameInBody, `Must match the name in the URL ('${existing.name}').`);
    }
    validateFirewall(fields, project);
    const rule = withServerDefaults(fields, project, existing);
    if (rule.network !== existing.network) {
      throw invalidField('resource.network', fields.network, 'The network of a rule cannot be changed.');
    }
    this.#deps.store.put(project, rule);
    return this.#deps.operations.start(project, operationType, { link: existing.selfLink, id: existing.id });
  }

  #delete(project: string, name: string): unknown {
    const path = firewallPath(project, name);
    this.#authorize(project, 'compute.firewalls.delete', path);
    const existing = this.#deps.store.get(project, name);
    if (!existing) throw notFound(path);
    this.#deps.store.delete(project, name);
    return this.#deps.operations.start(project, 'delete', { link: existing.selfLink, id: existing.id });
  }

  #getOperation(project: string, name: string): unknown {
    this.#authorize(project, 'compute.globalOperations.get', operationPath(project, name));
    return this.#deps.operations.get(project, name);
  }

  #waitOperation(project: string, name: string): Promise<unknown> {
    this.#authorize(project, 'compute.globalOperations.get', operationPath(project, name));
    return this.#deps.operations.wait(project, name);
  }

  #authorize(project: string, permission: string, resourcePath: string): void {
    if (this.#deps.isDenied(project)) throw forbidden(permission, resourcePath);
  }
}

function quotaExceeded(limit: number): OperationFailure {
  return {
    errors: [
      {
        code: 'QUOTA_EXCEEDED',
        message: `Quota 'FIREWALLS' exceeded. Limit: ${limit.toFixed(1)} globally.`,
        errorDetails: [
          {
            quotaInfo: {
              metricName: 'compute.googleapis.com/firewalls',
              limitName: 'FIREWALLS-per-project',
              dimensions: { global: 'global' },
              limit,
            },
          },
        ],
      },
    ],
    httpErrorStatusCode: 403,
    httpErrorMessage: 'FORBIDDEN',
  };
}

function readPageSize(value: string | null): number {
  if (value === null || value === '' || value === '0') return maxPageSize;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 0) {
    throw invalidField('maxResults', value, 'Must be greater than or equal to 0');
  }
  if (size > maxPageSize) {
    throw invalidField('maxResults', value, `Must be less than or equal to ${maxPageSize}`);
  }
  return size;
}

/** Page tokens are opaque to clients; here they carry the last name of the previous page. */
function pageTokenAfter(name: unknown): string {
  return Buffer.from(`after:${String(name)}`).toString('base64url');
}

function readPageToken(token: string | null): string | undefined {
  if (token === null || token === '') return undefined;
  const decoded = Buffer.from(token, 'base64url').toString();
  if (!decoded.startsWith('after:')) throw invalidField('pageToken', token, 'Invalid page token.');
  return decoded.slice('after:'.length);
}
