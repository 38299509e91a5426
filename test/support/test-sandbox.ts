// A sandbox per test file: the real service, the in-memory cluster with simulated nodes and the
// Compute emulator, on loopback addresses of its own so that test files can run side by side.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  SANDBOX_TOKENS,
  type Sandbox,
  type SandboxOptions,
  startSandbox,
} from '../../src/sandbox/sandbox.ts';

process.env.METADATA_SERVER_DETECTION = 'none';

export const ADMIN = `Bearer ${SANDBOX_TOKENS.admin.token}`;
export const SEARCH_TEAM = `Bearer ${SANDBOX_TOKENS.search.token}`;

/** Distinct 127.x.y.0/24 networks for each sandbox in this process (and, by pid, across processes). */
let networks = 0;
function nodeNetworks(): { internal: string; external: string } {
  networks++;
  const second = 100 + ((process.pid * 7 + networks * 13) % 150);
  const third = (process.pid + networks * 2) % 250;
  return { internal: `127.${second}.${third}`, external: `127.${second}.${third + 1}` };
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    port: 0,
    emulatorPort: 0,
    logLevel: 'silent',
    nodeNetwork: nodeNetworks(),
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
      probe: {
        addressType: 'InternalIP',
        timeoutMs: 500,
        cacheTtlMs: 0,
        concurrency: 64,
        maxProbesPerRead: 2000,
        cacheEntries: 10_000,
      },
      ...options.config,
    },
  });
}

export function elasticsearchRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    namespace: 'search',
    name: 'elasticsearch',
    selector: { app: 'elasticsearch' },
    ports: [{ name: 'http', port: 9200, nodePort: 30920 }],
    sourceRanges: ['203.0.113.0/24'],
    labels: { app: 'elasticsearch', team: 'search' },
    ...overrides,
  };
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
