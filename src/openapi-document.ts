// Builds the OpenAPI document exactly as the running service serves it, without a cluster or GCE:
// the service is composed as `npm start` composes it (the Kubernetes and GCE adapters, pointed at
// a closed port), but nothing is started, so neither is ever called. The document depends only on
// the routes and their schemas.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { createGceFirewalls } from './adapters/gce/gce-firewalls.ts';
import { passThroughAuthClient } from './adapters/gce/pass-through-auth.ts';
import { createKubernetesCluster } from './adapters/kubernetes/kubernetes-cluster.ts';
import { parseConfig } from './config/load.ts';
import { createRuntime } from './runtime.ts';

/** Port 9 (discard) on loopback: nothing listens there, and nothing is sent there either. */
const NOWHERE = { host: '127.0.0.1', port: 9 };

function unreachableKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'openapi', server: `http://${NOWHERE.host}:${NOWHERE.port}`, skipTLSVerify: true }],
    users: [{ name: 'openapi' }],
    contexts: [{ name: 'openapi', cluster: 'openapi', user: 'openapi' }],
    currentContext: 'openapi',
  });
  return kubeConfig;
}

export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const config = parseConfig({
    cluster: { id: 'openapi' },
    gce: { project: 'openapi' },
    firewall: { targetTags: ['openapi'] },
  });
  const cluster = createKubernetesCluster({ kubeConfig: unreachableKubeConfig() });
  const firewalls = createGceFirewalls({
    project: 'openapi',
    apiEndpoint: NOWHERE.host,
    port: NOWHERE.port,
    protocol: 'http',
    authClient: passThroughAuthClient(),
  });
  const runtime = await createRuntime({ config, cluster, firewalls, logger: pino({ level: 'silent' }) });
  await runtime.app.ready();
  const document = runtime.app.swagger() as unknown as Record<string, unknown>;
  await runtime.app.close();
  await cluster.stop();
  await firewalls.close();
  return document;
}
