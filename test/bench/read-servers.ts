// The servers the read benchmark measures, in a process of their own (so the load generator does
// not share their event loop): the real API over the sandbox's in-memory cluster with one exposure
// and a warm probe cache, and a bare Fastify route that serves the same JSON without auth, cache
// lookup, schema serialization or health. Prints the two URLs as one JSON line on stdout.
import Fastify from 'fastify';
import { SANDBOX_TOKENS, startSandbox } from '../../src/sandbox/sandbox.ts';
import { elasticsearchRequest } from '../support/test-sandbox.ts';

process.env.METADATA_SERVER_DETECTION = 'none';

const sandbox = await startSandbox({
  port: 0,
  emulatorPort: 0,
  logLevel: 'silent',
  nodeNetwork: { internal: '127.77.1', external: '127.77.2' },
  // Health from the probe cache for the whole run: the benchmark measures the read path.
  config: {
    probe: {
      addressType: 'InternalIP',
      timeoutMs: 1000,
      cacheTtlMs: 3_600_000,
      concurrency: 64,
      maxProbesPerRead: 2000,
      cacheEntries: 10_000,
    },
  },
});
const auth = `Bearer ${SANDBOX_TOKENS.search.token}`;
const created = await sandbox.runtime.app.inject({
  method: 'POST',
  url: '/exposures',
  headers: { authorization: auth, 'content-type': 'application/json', prefer: 'wait=10' },
  payload: JSON.stringify(elasticsearchRequest()),
});
const exposure = created.json() as { id: string; status: { phase: string } };
if (exposure.status.phase !== 'Ready') throw new Error(`the exposure is ${exposure.status.phase}, not Ready`);
const sameJson = (
  await sandbox.runtime.app.inject({
    method: 'GET',
    url: `/exposures/${exposure.id}`,
    headers: { authorization: auth },
  })
).json();

const bare = Fastify({ logger: false });
bare.get('/bare', async () => sameJson);
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

process.stdout.write(
  `${JSON.stringify({ api: `${sandbox.apiUrl}/exposures/${exposure.id}`, bare: `${bareUrl}/bare`, authorization: auth })}\n`,
);

process.on('SIGTERM', async () => {
  await bare.close();
  await sandbox.close();
  process.exit(0);
});
