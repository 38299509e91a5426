// Raw HTTP calls to the emulator for the conformance tests: the status, content type and parsed
// JSON body exactly as a client would receive them, with no client library in between.
import { after, before } from 'node:test';
import { type ComputeEmulator, startComputeEmulator } from '../src/index.ts';

export interface WireResponse {
  status: number;
  contentType: string;
  /** The parsed body when it is JSON; tests narrow it with a cast where they read fields. */
  json: unknown;
  text: string;
}

export async function wire(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<WireResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json', ...headers };
  }
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    contentType,
    json: contentType.startsWith('application/json') ? JSON.parse(text) : undefined,
    text,
  };
}

export type ComputeWire = ReturnType<typeof computeWire>;

/** A client for one project's firewall paths, as the REST API lays them out. */
export function computeWire(baseUrl: string, project: string) {
  const root = `/compute/v1/projects/${project}/global`;
  return {
    insert: (rule: unknown) => wire(baseUrl, 'POST', `${root}/firewalls?alt=json`, rule),
    get: (name: string) => wire(baseUrl, 'GET', `${root}/firewalls/${name}?alt=json`),
    list: (query = '') => wire(baseUrl, 'GET', `${root}/firewalls?alt=json${query}`),
    patch: (name: string, changes: unknown) =>
      wire(baseUrl, 'PATCH', `${root}/firewalls/${name}?alt=json`, changes),
    update: (name: string, rule: unknown) => wire(baseUrl, 'PUT', `${root}/firewalls/${name}?alt=json`, rule),
    delete: (name: string) => wire(baseUrl, 'DELETE', `${root}/firewalls/${name}?alt=json`),
    operation: (name: string) => wire(baseUrl, 'GET', `${root}/operations/${name}?alt=json`),
    wait: (name: string) => wire(baseUrl, 'POST', `${root}/operations/${name}/wait?alt=json`),
  };
}

/** A minimal valid rule body, as a client would send it. */
export function ruleBody(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    network: 'projects/p/global/networks/default',
    allowed: [{ IPProtocol: 'tcp', ports: ['30920'] }],
    sourceRanges: ['203.0.113.0/24'],
    targetTags: ['gke-node'],
    ...overrides,
  };
}

/**
 * An emulator with default settings started before the tests of the calling suite and closed after
 * them, and a client for its project `p`; both are read inside the tests.
 */
export function suiteEmulator(): { readonly emulator: ComputeEmulator; readonly api: ComputeWire } {
  let running: { emulator: ComputeEmulator; api: ComputeWire } | undefined;
  before(async () => {
    const emulator = await startComputeEmulator();
    running = { emulator, api: computeWire(emulator.url, 'p') };
  });
  after(() => running?.emulator.close());
  const started = () => {
    if (!running) throw new Error('the suite has not started its emulator');
    return running;
  };
  return {
    get emulator() {
      return started().emulator;
    },
    get api() {
      return started().api;
    },
  };
}
