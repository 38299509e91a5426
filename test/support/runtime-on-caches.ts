// A runtime whose reconciler is never started, to hold the edge's reads against a cluster's caches
// alone (started or not, watch up or broken): its GCE client points nowhere and is never called.
import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { createGceFirewalls } from '../../src/adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from '../../src/adapters/gce/pass-through-auth.ts';
import type { Cluster } from '../../src/application/ports/cluster.ts';
import { parseConfig } from '../../src/config/load.ts';
import { sha256Hex } from '../../src/edge/plugins/authentication.ts';
import { createRuntime } from '../../src/runtime.ts';

export interface RuntimeOnCaches {
  /** A GET as a caller who may use every namespace. */
  read(url: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function runtimeOnCaches(
  cluster: Cluster,
  settings: { clusterId: string; staleAfterSeconds: number },
): Promise<RuntimeOnCaches> {
  const token = `${settings.clusterId}-reader`;
  const firewalls = createGceFirewalls({
    project: 'p',
    apiEndpoint: '127.0.0.1',
    port: 9,
    protocol: 'http',
    authClient: passThroughAuthClient(),
  });
  const config = parseConfig({
    auth: { tokens: [{ sha256: sha256Hex(token), subject: 'reader', namespaces: ['*'] }] },
    cluster: { id: settings.clusterId, staleAfterSeconds: settings.staleAfterSeconds },
    firewall: { targetTags: ['node'] },
    gce: { project: 'p' },
  });
  const runtime = await createRuntime({ config, cluster, firewalls, logger: pino({ level: 'silent' }) });
  return {
    read: (url) => runtime.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }),
    async close() {
      await runtime.app.close();
      await firewalls.close();
    },
  };
}
