// A sandbox per test file: the real service, the in-memory cluster with simulated nodes and the
// Compute emulator, on loopback addresses of its own (each sandbox claims a free block) so that
// test files can run side by side.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  SANDBOX_TOKENS,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/sandbox/sandbox.ts';
import { createRequest } from '../builders/create-request.ts';

process.env.METADATA_SERVER_DETECTION = 'none';

export const ADMIN = `Bearer ${SANDBOX_TOKENS.admin.token}`;
export const SEARCH_TEAM = `Bearer ${SANDBOX_TOKENS.search.token}`;

/** A test sandbox's probe settings, results cached for `cacheTtlMs` (0: every read probes). */
export function probeSettings(cacheTtlMs: number) {
  return {
    addressType: 'InternalIP',
    timeoutMs: 500,
    cacheTtlMs,
    concurrency: 64,
    maxProbesPerRead: 2000,
    cacheEntries: 10_000,
  } as const;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    port: 0,
    emulatorPort: 0,
    logLevel: 'silent',
    ...options,
    config: {
      // No drift sweep in the middle of a test that counts GCE calls, unless the test asks for one.
      reconciler: {
        workers: 4,
        resyncSeconds: 600,
        driftCheckSeconds: 3600,
        backoffInitialMs: 50,
        backoffMaxMs: 500,
      },
      probe: probeSettings(0),
      ...options.config,
    },
  });
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: T;
  raw: LightMyRequestResponse;
}

export async function call<T = Record<string, unknown>>(
  sandbox: Sandbox,
  options: InjectOptions,
): Promise<JsonResponse<T>> {
  const raw = await sandbox.runtime.app.inject(options);
  const text = raw.body;
  let body: unknown = text;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // leave the text as it is (e.g. the HTML of /docs)
  }
  return { status: raw.statusCode, headers: raw.headers, body: body as T, raw };
}

/** The Services and firewall rules that exist, to show that a refused request wrote nothing. */
export function footprint(sandbox: Sandbox): { services: string[]; rules: string[] } {
  return {
    services: sandbox.cluster.allServices().map((s) => `${s.namespace}/${s.name}`),
    rules: sandbox.emulator.rules(sandbox.config.gce.project).map((r) => String(r.name)),
  };
}

/** The README's example exposure created as the admin, the answer waited for up to 5 s. */
export function createAsAdmin<T>(sandbox: Sandbox): Promise<JsonResponse<T>> {
  return call<T>(sandbox, {
    method: 'POST',
    url: '/exposures',
    headers: { authorization: ADMIN, 'content-type': 'application/json', prefer: 'wait=5' },
    payload: JSON.stringify(createRequest()),
  });
}
