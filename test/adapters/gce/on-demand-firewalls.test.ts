// The Compute clients are built on the first call (or open()), once, whatever the number of calls
// waiting for them; a failed build is tried again; closing before any call builds nothing. And the
// server's module graph does not load @google-cloud/compute until then.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { GceFirewalls } from '../../../src/adapters/gce/gce-firewalls.ts';
import { onDemandFirewalls } from '../../../src/adapters/gce/on-demand-firewalls.ts';

function fakeClients(calls: string[]): GceFirewalls {
  return {
    project: 'p',
    get: async (name) => {
      calls.push(`get ${name}`);
      return undefined;
    },
    listPage: async () => {
      calls.push('listPage');
      return { rules: [] };
    },
    insert: async (rule) => {
      calls.push(`insert ${rule.name}`);
    },
    patch: async (name) => {
      calls.push(`patch ${name}`);
    },
    update: async (rule) => {
      calls.push(`update ${rule.name}`);
    },
    delete: async (name) => {
      calls.push(`delete ${name}`);
      return 'deleted';
    },
    close: async () => {
      calls.push('close');
    },
  };
}

describe('onDemandFirewalls', () => {
  test('nothing is built before the first call; concurrent first calls build once', async () => {
    const calls: string[] = [];
    let builds = 0;
    const firewalls = onDemandFirewalls('p', async () => {
      builds++;
      return fakeClients(calls);
    });
    assert.equal(firewalls.project, 'p');
    assert.equal(firewalls.opened, false);
    assert.equal(builds, 0);
    await Promise.all([firewalls.get('a'), firewalls.listPage(), firewalls.delete('b')]);
    assert.equal(builds, 1);
    assert.equal(firewalls.opened, true);
    await firewalls.open();
    assert.equal(builds, 1);
    assert.deepEqual(calls.sort(), ['delete b', 'get a', 'listPage']);
    await firewalls.close();
    assert.ok(calls.includes('close'));
  });

  test('a failed build fails the call and is tried again by the next one', async () => {
    let attempts = 0;
    const firewalls = onDemandFirewalls('p', async () => {
      attempts++;
      if (attempts === 1) throw new Error('cannot load');
      return fakeClients([]);
    });
    await assert.rejects(firewalls.get('a'), /cannot load/);
    assert.equal(firewalls.opened, false);
    assert.equal(await firewalls.delete('a'), 'deleted');
    assert.equal(attempts, 2);
  });

  test('closing before any call builds nothing', async () => {
    let builds = 0;
    const firewalls = onDemandFirewalls('p', async () => {
      builds++;
      return fakeClients([]);
    });
    await firewalls.close();
    assert.equal(builds, 0);
  });

  test("the server's modules load no Compute or Google auth library until a replica is about to lead", async () => {
    // The modules src/server.ts imports, in a fresh process: which packages did they load?
    const script = `
      import { createRequire } from 'node:module';
      await import('./src/adapters/gce/on-demand-firewalls.ts');
      await import('./src/runtime.ts');
      await import('./src/adapters/kubernetes/kubernetes-cluster.ts');
      await import('./src/adapters/kubernetes/kubernetes-leases.ts');
      await import('./src/adapters/metrics/prometheus-metrics.ts');
      await import('./src/config/load.ts');
      const cache = Object.keys(createRequire(import.meta.url).cache);
      process.stdout.write(JSON.stringify(cache.filter((path) => /@google-cloud|google-gax|google-auth-library|protobufjs/.test(path))));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../../', import.meta.url).pathname,
    });
    assert.deepEqual(JSON.parse(stdout), []);
  });
});
