// Lookup benchmark: what requests that miss the caches cost a real kube-apiserver, counted in its
// audit log (requests of exposure-api's identity, watches aside). Per 1,000 requests:
//   - GETs of distinct unknown ids with a recent timestamp (the cache-miss path), at several levels
//     of concurrency: ids waiting together share one list request (up to 200 ids), and one lookup
//     starts at most every 100 ms, so a caller waiting for each answer is slowed to that pace;
//   - GETs of one unknown id: one list request, then the miss is remembered;
//   - creates conflicting on a node port held by a Service exposure-api does not manage (one walk
//     over all Services names holders for 5 s) and by one of its exposures (named from the cache).
// Target: at most 10 list requests per 1,000 requests of each kind sent at once.
//
// Run: npm run bench:lookups   (options: --requests=1000)
import { parseArgs } from 'node:util';
import { newExposureId } from '../src/domain/exposure-id.ts';
import {
  MANAGED_HOLDER_PORT,
  type Measurement,
  startLookupHarness,
  UNMANAGED_HOLDER_PORT,
} from '../test/real-cluster/lookup-harness.ts';
import { machineFacts, verdict } from './machine.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '1000' } } });
const REQUESTS = Number(values.requests);
const TARGET = 10;
/** The apiserver's own inflight limit answers 429 to far more creates at once. */
const CREATES_AT_ONCE = 100;

process.env.METADATA_SERVER_DETECTION = 'none';
const out = (line = '') => process.stdout.write(`${line}\n`);

out(
  `lookup benchmark: apiserver requests per ${REQUESTS.toLocaleString('en')} requests that miss the caches`,
);
out(machineFacts());
const harness = await startLookupHarness();
out(`kube-apiserver ${harness.controlPlane.kubernetesVersion}, audit log on\n`);

const rows: { scenario: string; concurrency: number; measured: Measurement; bound: boolean }[] = [];
async function scenario(
  name: string,
  concurrency: number,
  request: (index: number) => () => Promise<number>,
  bound: boolean,
): Promise<void> {
  const measured = await harness.measure(
    Array.from({ length: REQUESTS }, (_, i) => request(i)),
    concurrency,
  );
  rows.push({ scenario: name, concurrency, measured, bound });
  const perThousand = (measured.lists * 1000) / REQUESTS;
  out(
    `${name.padEnd(46)} ${String(concurrency).padStart(5)} at once  ${String(measured.lists).padStart(5)} lists (${perThousand.toFixed(1)} per 1,000)  ${String(measured.total).padStart(5)} requests in all  ${(measured.ms / 1000).toFixed(1).padStart(6)} s  answers ${JSON.stringify(measured.statuses)}`,
  );
}

try {
  await scenario(
    'GET, distinct unknown recent ids',
    REQUESTS,
    () => {
      const id = newExposureId();
      return () => harness.get(id);
    },
    true,
  );
  await scenario(
    'GET, distinct unknown recent ids',
    100,
    () => {
      const id = newExposureId();
      return () => harness.get(id);
    },
    false,
  );
  await scenario(
    'GET, distinct unknown recent ids',
    10,
    () => {
      const id = newExposureId();
      return () => harness.get(id);
    },
    false,
  );
  const one = newExposureId();
  await scenario('GET, one unknown recent id', REQUESTS, () => () => harness.get(one), true);
  await scenario(
    'POST, node port held by an unmanaged Service',
    CREATES_AT_ONCE,
    (i) => () => harness.createOn(UNMANAGED_HOLDER_PORT, `clash-u-${i}`),
    true,
  );
  await scenario(
    'POST, node port held by an exposure',
    CREATES_AT_ONCE,
    (i) => () => harness.createOn(MANAGED_HOLDER_PORT, `clash-m-${i}`),
    true,
  );
} finally {
  await harness.stop();
}

out('');
out(
  'Requests in all include, for the creates, the create itself (one per request, the write that conflicts).',
);
out('With few requests at once, each waits for the previous lookup: calls are spaced 100 ms apart, so');
out('the apiserver sees at most 10 lookups a second from one replica, whatever the callers do.');
const bounded = rows.filter((row) => row.bound);
const met = bounded.every((row) => (row.measured.lists * 1000) / REQUESTS <= TARGET);
out(`target: ≤ ${TARGET} list requests per 1,000 requests sent at once: ${verdict(met)}`);
