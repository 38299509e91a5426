// Each sandbox claims a loopback block of its own; a block taken by one cannot be taken by another,
// even when both start at the same instant, and the claim is given back on release.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLAIM_PORT,
  type ClaimedAddresses,
  claimNodeAddresses,
  parseNodeNetwork,
} from '../../src/sandbox/node-network.ts';

function blockOf(addresses: ClaimedAddresses): string {
  return addresses.clusterNetwork ?? 'single-address';
}

describe('node addresses', () => {
  test('sandboxes claiming at the same instant each get a block of their own', async () => {
    const claims = await Promise.all(Array.from({ length: 12 }, () => claimNodeAddresses()));
    try {
      const blocks = claims.map(blockOf);
      assert.equal(new Set(blocks).size, claims.length, blocks.join(', '));
      for (const claim of claims) {
        assert.match(claim.clusterNetwork ?? '', /^127\.\d+\.\d+\.0\/24$/);
        const internal = claim.clusterNetwork?.replace('.0/24', '') ?? '';
        assert.deepEqual(
          claim.nodes.map((node) => node.internalIP),
          [1, 2, 3].map((host) => `${internal}.${host}`),
        );
        assert.equal(claim.serviceAddress, `${internal}.250`);
        const [, second, third] = internal.split('.').map(Number);
        assert.deepEqual(
          claim.nodes.map((node) => node.externalIP),
          [1, 2, 3].map((host) => `127.${second}.${(third ?? 0) + 1}.${host}`),
        );
        assert.ok(![0, 192, 198, 203].includes(second ?? 0), `block ${internal} is reserved`);
      }
    } finally {
      await Promise.all(claims.map((claim) => claim.release()));
    }
  });

  test('a named block held by one sandbox is refused to another, and free again once released', async () => {
    const first = await claimNodeAddresses();
    const internal = first.clusterNetwork?.replace('.0/24', '') ?? '';
    const [, second, third] = internal.split('.').map(Number);
    const named = { internal, external: `127.${second}.${(third ?? 0) + 1}` };
    await assert.rejects(
      claimNodeAddresses(named),
      new RegExp(
        `node network ${internal.replaceAll('.', '\\.')}\\.0/24 is held by another sandbox .*:${CLAIM_PORT} is in use`,
      ),
    );
    await first.release();
    const again = await claimNodeAddresses(named);
    assert.equal(again.clusterNetwork, `${internal}.0/24`);
    await again.release();
  });

  test('two sandboxes racing for the same block: exactly one gets it', async () => {
    const probe = await claimNodeAddresses();
    const internal = probe.clusterNetwork?.replace('.0/24', '') ?? '';
    await probe.release();
    const [, second, third] = internal.split('.').map(Number);
    const named = { internal, external: `127.${second}.${(third ?? 0) + 1}` };
    const raced = await Promise.allSettled([claimNodeAddresses(named), claimNodeAddresses(named)]);
    const won = raced.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    assert.equal(won.length, 1, JSON.stringify(raced.map((outcome) => outcome.status)));
    await won[0]?.release();
  });

  test('single-address: one node on 127.0.0.1, no cluster network to admit', async () => {
    const single = await claimNodeAddresses('single-address');
    assert.deepEqual(single.nodes, [{ name: 'sandbox-node-1', internalIP: '127.0.0.1' }]);
    assert.equal(single.clusterNetwork, undefined);
    assert.equal(single.serviceAddress, undefined);
    await single.release();
  });

  test('SANDBOX_NODE_NETWORK names a block, or 127.0.0.1 for a single node', () => {
    assert.deepEqual(parseNodeNetwork('127.44.6'), { internal: '127.44.6', external: '127.44.7' });
    assert.equal(parseNodeNetwork('127.0.0.1'), 'single-address');
    for (const wrong of ['10.0.0', '127.44', '127.44.6.1', '127.256.1', '127.44.255', '127.44.6/24']) {
      assert.throws(() => parseNodeNetwork(wrong), /is not a node network/, wrong);
    }
    assert.throws(() => parseNodeNetwork('127.203.113'), /where clients of 203\.0\.113\.0\/24 connect from/);
    assert.throws(() => parseNodeNetwork('127.203.112'), /where clients of 203\.0\.113\.0\/24 connect from/);
  });
});
