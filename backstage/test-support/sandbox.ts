// The repository's sandbox (the real exposure-api on an in-memory cluster with simulated nodes and
// the Compute Engine emulator), started by the test that uses it, on loopback.
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { startTestSandbox } from '../../test/support/test-sandbox.ts';

export { SANDBOX_TOKENS, type Sandbox } from '../../src/sandbox/sandbox.ts';

export async function startExposureSandbox(): Promise<Sandbox> {
  const sandbox = await startTestSandbox({
    // One caller (the Backstage backend) makes every request of these tests.
    config: { rateLimit: { writes: { max: 10_000 }, reads: { max: 100_000 } } },
  });
  const close = sandbox.close;
  // Node's fetch opens a spare connection when a response body is cancelled (a watch left early);
  // a connection that never carries a request is not idle to the server, which then waits for it
  // to time out before it can close. At the end of a test file nothing is in flight: cut them all.
  sandbox.close = async () => {
    sandbox.runtime.app.server.closeAllConnections();
    await close();
  };
  return sandbox;
}

/** The Services the sandbox holds in a namespace (what a retried step must not multiply). */
export function servicesIn(sandbox: Sandbox, namespace: string): string[] {
  return sandbox.cluster
    .allServices()
    .filter((service) => service.namespace === namespace)
    .map((service) => service.name)
    .sort();
}
