// The index of exposure records kept from the cluster's events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExposureIndex } from '../../src/application/exposure-index.ts';
import type { ServiceManifest } from '../../src/domain/cluster-objects.ts';
import { InMemoryCluster } from '../../src/sandbox/in-memory-cluster.ts';
import { exposureManifest } from '../builders/exposure-spec.ts';
import { eventually } from '../support/eventually.ts';

const quiet = { info() {}, warn() {} };

function manifest(name: string) {
  return exposureManifest(
    { namespace: 'default', name, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
    { clusterId: 'c1' },
  );
}

/** An index following a fresh in-memory cluster. */
async function startedIndex() {
  const cluster = new InMemoryCluster();
  await cluster.start();
  const index = new ExposureIndex(cluster, 'c1', quiet);
  index.start();
  return { cluster, index };
}

/** Creates the Service and waits until the index holds its record; gives the exposure id. */
async function indexed(cluster: InMemoryCluster, index: ExposureIndex, manifest: ServiceManifest) {
  const created = await cluster.createService(manifest);
  const id = created.labels['exposure-api.io/id'] as string;
  await eventually(() => index.get(id), Boolean, { what: 'the record' });
  return { created, id };
}

test('a read that answers after the deletion was seen does not bring the exposure back', async () => {
  const { cluster, index } = await startedIndex();
  const wanted = { ...manifest('ghost'), finalizers: [] };
  const { id } = await indexed(cluster, index, wanted);
  const staleRead = await cluster.readService(wanted); // a read in flight while the Service goes
  await cluster.deleteService(wanted);
  await eventually(
    () => index.get(id),
    (record) => record === undefined,
    { what: 'the record to go' },
  );
  assert.equal(index.upsert(staleRead as NonNullable<typeof staleRead>), undefined);
  assert.equal(index.get(id), undefined, 'no ghost');
});

test('a Service edited beyond recognition is dropped, not served as it was', async () => {
  const { cluster, index } = await startedIndex();
  const { created, id } = await indexed(cluster, index, manifest('edited'));
  await cluster.applyServiceSpec(
    { ...created, annotations: { ...created.annotations, 'exposure-api.io/spec': '{' } },
    { uid: created.uid },
  );
  await eventually(
    () => index.get(id),
    (record) => record === undefined,
    { what: 'the record to be dropped' },
  );
  assert.equal(index.size, 0);
});

test('after(id) gives the records whose ids sort after it, in id order, from any starting id', async () => {
  const { cluster, index } = await startedIndex();
  const ids: string[] = [];
  for (const name of ['a', 'b', 'c', 'd', 'e']) ids.push((await indexed(cluster, index, manifest(name))).id);
  ids.sort();
  const idsAfter = (afterId: string | undefined) => [...index.after(afterId)].map((record) => record.id);
  assert.deepEqual(idsAfter(undefined), ids);
  assert.deepEqual(
    index.all().map((record) => record.id),
    ids,
  );
  for (let i = 0; i < ids.length; i++)
    assert.deepEqual(idsAfter(ids[i]), ids.slice(i + 1), `after ${ids[i]}`);
  // A cursor naming an exposure deleted since (or any id between two) starts at the next one.
  const between = `${ids[1]}0`;
  assert.deepEqual(idsAfter(between), ids.slice(2));
  assert.deepEqual(idsAfter('exp_'), ids);
  assert.deepEqual(idsAfter('exp_zzzzzzzzzzzzzzzzzzzzzzzzzz'), []);
});
