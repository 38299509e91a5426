// A local stand-in for the Compute Engine API's firewall surface, speaking its REST wire format
// (insert/patch/update/delete answer RUNNING operations that become DONE, quota failures arrive
// inside the operation, errors use the API's envelope), so that the official Node client and
// the real gcloud CLI work against it unchanged.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, parseError } from './api-error.ts';
import { boundaryOf, formatBatchResponse, parseBatchBody } from './batch.ts';
import { type ApiResponse, ComputeApi } from './compute-api.ts';
import { faultResponse, type RawResponse } from './fault-responses.ts';
import { type ComputeFaults, FaultInjector } from './faults.ts';
import { toJson } from './firewall-resource.ts';
import { FirewallStore } from './firewall-store.ts';
import { Operations } from './operations.ts';
import { ResourceIds } from './resource-ids.ts';

export type { ComputeFaults } from './faults.ts';

export interface ComputeEmulatorOptions {
  /** Interface to listen on; loopback unless there is a reason to expose it. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Firewall rules per project before inserts fail with QUOTA_EXCEEDED (real projects: 100-500). */
  firewallQuota?: number;
  /** How long an operation stays RUNNING before a poll or wait reports it DONE. */
  operationDoneAfterMs?: number;
  faults?: ComputeFaults;
  /** The `user` operations are attributed to. */
  user?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string without the leading `?`. */
  query: string;
  status: number;
  /** True for a call that arrived embedded in a batch request. */
  batched: boolean;
}

export interface ComputeEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `${url}/compute/v1/`, the value for CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE. */
  readonly computeEndpoint: string;
  readonly port: number;
  setFaults(faults: ComputeFaults | undefined): void;
  setQuota(project: string, firewallLimit: number): void;
  /** Answers every call on the project with 403, as for a shared-VPC host project without IAM. */
  denyProject(project: string, denied: boolean): void;
  /** The project's rules as `GET` would answer them, in name order. */
  rules(project: string): Record<string, unknown>[];
  /** Recent API calls, oldest first, including the calls embedded in batch requests. */
  requests(): readonly RecordedRequest[];
  /** HTTP requests received since start (or the last `clearRequests`); a batch counts once. */
  requestCount(): number;
  clearRequests(): void;
  close(): Promise<void>;
}

const jsonContentType = 'application/json; charset=UTF-8';
/** gcloud posts to `/batch/compute/v1`; older apitools clients to the global `/batch`. */
const batchPaths = new Set(['/batch/compute/v1', '/batch']);
/** Past this many recorded calls the older half is dropped, so a long-running sandbox stays small. */
const requestLogLimit = 50_000;

export async function startComputeEmulator(options: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const defaultQuota = options.firewallQuota ?? 500;
  const quotas = new Map<string, number>();
  const deniedProjects = new Set<string>();
  const ids = new ResourceIds();
  const store = new FirewallStore();
  const operations = new Operations({
    doneAfterMs: options.operationDoneAfterMs ?? 20,
    ids,
    user: options.user ?? 'user@example.com',
  });
  const api = new ComputeApi({
    store,
    operations,
    ids,
    firewallQuota: (project) => quotas.get(project) ?? defaultQuota,
    isDenied: (project) => deniedProjects.has(project),
  });
  let faults = options.faults ? new FaultInjector(options.faults) : undefined;
  let log: RecordedRequest[] = [];
  let httpRequests = 0;

  const record = (entry: RecordedRequest) => {
    if (log.length >= requestLogLimit) log = log.slice(requestLogLimit / 2);
    log.push(entry);
  };

  /** Handles one API call, arriving on its own or embedded in a batch, and records it. */
  const callApi = async (
    method: string,
    target: string,
    body: string,
    batched: boolean,
    fieldMask?: string,
  ) => {
    const url = new URL(target, 'http://emulator');
    const response = await api.handle({
      method,
      path: url.pathname,
      query: url.searchParams,
      body,
      ...(fieldMask !== undefined && { fieldMask }),
    });
    record({ method, path: url.pathname, query: url.search.slice(1), status: response.status, batched });
    return jsonResponse(response);
  };

  const answerBatch = async (request: IncomingMessage, body: string): Promise<RawResponse> => {
    const boundary = boundaryOf(request.headers['content-type']);
    if (!boundary) return jsonResponse({ status: 400, body: parseError().toEnvelope() });
    const parts = await Promise.all(
      parseBatchBody(body, boundary).map(async (part) => ({
        contentId: part.contentId,
        ...(await callApi(part.method, part.target, part.body, true)),
      })),
    );
    return { status: 200, ...formatBatchResponse(parts) };
  };

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    httpRequests++;
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://emulator');
    const decision = faults?.decide(method);
    if (decision && decision.delayMs > 0) await sleep(decision.delayMs);
    let raw: RawResponse;
    if (decision?.failWith !== undefined) {
      raw = faultResponse(decision.failWith);
      record({ method, path: url.pathname, query: url.search.slice(1), status: raw.status, batched: false });
    } else if (method === 'POST' && batchPaths.has(url.pathname)) {
      raw = await answerBatch(request, body);
    } else {
      const fieldMask = request.headers['x-goog-fieldmask'];
      raw = await callApi(
        method,
        request.url ?? '/',
        body,
        false,
        typeof fieldMask === 'string' ? fieldMask : undefined,
      );
    }
    response.writeHead(raw.status, {
      'Content-Type': raw.contentType,
      'Content-Length': Buffer.byteLength(raw.body),
    });
    response.end(raw.body);
  };

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      const failure = new ApiError(500, 'backendError', `Emulator failure: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': jsonContentType });
      response.end(JSON.stringify(failure.toEnvelope()));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    computeEndpoint: `${url}/compute/v1/`,
    port,
    setFaults(next) {
      faults = next ? new FaultInjector(next) : undefined;
    },
    setQuota(project, firewallLimit) {
      quotas.set(project, firewallLimit);
    },
    denyProject(project, denied) {
      if (denied) deniedProjects.add(project);
      else deniedProjects.delete(project);
    },
    rules(project) {
      return [...store.inOrder(project)].map(toJson);
    },
    requests() {
      return log;
    },
    requestCount() {
      return httpRequests;
    },
    clearRequests() {
      log = [];
      httpRequests = 0;
    },
    async close() {
      operations.releaseWaits();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function jsonResponse(response: ApiResponse): RawResponse {
  return { status: response.status, contentType: jsonContentType, body: JSON.stringify(response.body) };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
