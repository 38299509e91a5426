// Requests that miss the caches are bounded on a real kube-apiserver, counted in its audit log:
// 1,000 GETs of unknown recent ids and 1,000 creates conflicting on a taken node port each cost at
// most 10 list requests (they cost 1,000 list requests, or page walks, one per request, before).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newExposureId } from '../../src/domain/exposure-id.ts';
import { controlPlaneSkipReason } from './fixture/index.ts';
import {
  type LookupHarness,
  MANAGED_HOLDER_PORT,
  type Measurement,
  startLookupHarness,
  UNMANAGED_HOLDER_PORT,
} from './lookup-harness.ts';

const skip = await controlPlaneSkipReason();
const REQUESTS = 1_000;
const MAX_LISTS = 10;
/**
 * Creates in flight at once: far more and the apiserver's own inflight limit answers some with 429
 * (a 503 here), which is not what this test is about.
 */
const CREATES_AT_ONCE = 100;

function report(what: string, measured: Measurement): void {
  process.stdout.write(
    `# ${what}: ${measured.lists} list requests (${JSON.stringify(measured.calls)}), answers ${JSON.stringify(measured.statuses)}, ${measured.ms.toFixed(0)} ms\n`,
  );
}

describe('lookups beyond the caches, on a real kube-apiserver', { skip }, () => {
  let harness: LookupHarness;
  before(async () => {
    harness = await startLookupHarness();
  });
  after(() => harness?.stop());

  test(`${REQUESTS} GETs of distinct unknown recent ids at once: at most ${MAX_LISTS} list requests`, async () => {
    const ids = Array.from({ length: REQUESTS }, () => newExposureId());
    const measured = await harness.measure(
      ids.map((id) => () => harness.get(id)),
      REQUESTS,
    );
    report('distinct unknown ids', measured);
    assert.deepEqual(measured.statuses, { 404: REQUESTS });
    assert.ok(measured.lists <= MAX_LISTS, `${measured.lists} list requests`);
    assert.equal(measured.total, measured.lists, 'and nothing else');
  });

  test(`${REQUESTS} GETs of one unknown recent id: one list request`, async () => {
    const id = newExposureId();
    const measured = await harness.measure(
      Array.from({ length: REQUESTS }, () => () => harness.get(id)),
      100,
    );
    report('one unknown id', measured);
    assert.deepEqual(measured.statuses, { 404: REQUESTS });
    assert.equal(measured.lists, 1);
  });

  test(`${REQUESTS} creates conflicting on a port an unmanaged Service holds: one create each, at most ${MAX_LISTS} list requests`, async () => {
    const measured = await harness.measure(
      Array.from({ length: REQUESTS }, (_, i) => () => harness.createOn(UNMANAGED_HOLDER_PORT, `clash-${i}`)),
      CREATES_AT_ONCE,
    );
    report('conflicts with an unmanaged holder', measured);
    assert.deepEqual(measured.statuses, { 409: REQUESTS });
    assert.equal(measured.calls['create services'], REQUESTS, 'the create itself is the request');
    assert.ok(measured.lists <= MAX_LISTS, `${measured.lists} list requests`);
  });

  test(`${REQUESTS} creates conflicting on a port an exposure holds: the holder comes from the cache, no list request`, async () => {
    const measured = await harness.measure(
      Array.from({ length: REQUESTS }, (_, i) => () => harness.createOn(MANAGED_HOLDER_PORT, `clash-${i}`)),
      CREATES_AT_ONCE,
    );
    report('conflicts with a managed holder', measured);
    assert.deepEqual(measured.statuses, { 409: REQUESTS });
    assert.equal(measured.lists, 0);
  });
});
