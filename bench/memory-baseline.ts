// What the service process costs before it holds any exposure, module by module: a bare Node, the
// application (Fastify app, domain, Kubernetes adapter on @kubernetes/client-node), then the
// @google-cloud/compute clients the GCE adapter constructs (with the part of the library's protocol
// definition they use, src/adapters/gce/compute-clients.ts), which only a replica about to lead loads
// (src/adapters/gce/on-demand-firewalls.ts): the second step is a follower's floor, the last a
// leader's. Run by bench/memory.ts in a fresh process with --expose-gc; prints one JSON line per step.
import { setTimeout as sleep } from 'node:timers/promises';
import { procMemory } from './machine.ts';

const gc = (globalThis as { gc?: () => void }).gc;

async function step(label: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    gc?.();
    await sleep(50);
  }
  const usage = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ label, rss: procMemory().rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal })}\n`,
  );
}

await step('Node, this script only');
await import('../src/runtime.ts');
await import('../src/adapters/kubernetes/kubernetes-cluster.ts');
await import('../src/adapters/kubernetes/kubernetes-leases.ts');
await step('+ application modules, Kubernetes adapter (a follower loads no more)');
const { createGceFirewalls } = await import('../src/adapters/gce/gce-firewalls.ts');
const { passThroughAuthClient } = await import('../src/adapters/gce/pass-through-auth.ts');
await step('+ @google-cloud/compute loaded (a leader, when it is about to take the lease)');
const firewalls = createGceFirewalls({
  project: 'p',
  apiEndpoint: '127.0.0.1',
  port: 9,
  protocol: 'http',
  authClient: passThroughAuthClient(),
});
// The first call builds the clients' service stubs (nothing listens on port 9: it is refused).
await firewalls.get('rule').catch(() => {});
await step('+ its FirewallsClient and GlobalOperationsClient, after a first call');
await firewalls.close();
