// The GCE adapter's clients load only the part of @google-cloud/compute's protocol definition they
// use (src/adapters/gce/compute-clients.ts). This holds the committed subset to the installed
// library, so that a library update that changes the definition fails here, loudly, instead of
// in production; and shows in a fresh process that the whole definition is never loaded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  COMPUTE_SERVICES,
  installedComputeProtos,
  type ProtoJsonNode,
  reduceComputeProtos,
  reduceInstalledComputeProtos,
} from '../../../tools/compute-protos/reduce.ts';

const committedPath = new URL('../../../src/adapters/gce/compute-protos.json', import.meta.url);
/** The subset derived from the installed library, once (it parses and resolves the whole 12 MB). */
let installed: ReturnType<typeof reduceInstalledComputeProtos> | undefined;
const derivedFromLibrary = () => {
  installed ??= reduceInstalledComputeProtos();
  return installed;
};

describe('the Compute protocol subset', () => {
  test('is what the installed @google-cloud/compute holds for the two services (else: npm run compute-protos)', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as unknown;
    const derived = derivedFromLibrary();
    assert.deepEqual(
      committed,
      derived,
      `src/adapters/gce/compute-protos.json no longer matches @google-cloud/compute ${installedComputeProtos().version}: run npm run compute-protos and review the difference`,
    );
    assert.deepEqual(derived.services, COMPUTE_SERVICES);
  });

  test('holds every message and enum the services reach, and nothing of the other APIs', () => {
    const { definition } = derivedFromLibrary();
    const v1 = definition.nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1?.nested ?? {};
    for (const name of [
      'Firewalls',
      'GlobalOperations',
      'Firewall',
      'FirewallList',
      'Operation',
      'Allowed',
    ]) {
      assert.ok(v1[name], `${name} is in the subset`);
    }
    for (const name of ['Instances', 'Instance', 'Networks', 'Disk']) {
      assert.equal(v1[name], undefined, `${name} is not`);
    }
  });

  test('a reference to a type the definition lacks fails the reduction instead of dropping it', () => {
    const broken: ProtoJsonNode = {
      nested: {
        demo: {
          nested: {
            Service: {
              methods: { Get: { requestType: 'Request', responseType: 'Missing' } },
            },
            Request: { fields: { name: { type: 'string', id: 1 } } },
          },
        },
      },
    };
    assert.throws(() => reduceComputeProtos(broken, '0.0.0', ['demo.Service']), /no such type|Missing/);
  });

  test('a process that builds the clients loads the subset, not the whole definition', async () => {
    // A fresh process: the module cache of this one may hold anything.
    const script = `
      import { createRequire } from 'node:module';
      const adapter = await import(${JSON.stringify(new URL('../../../src/adapters/gce/gce-firewalls.ts', import.meta.url).href)});
      const clients = await import(${JSON.stringify(new URL('../../../src/adapters/gce/compute-clients.ts', import.meta.url).href)});
      const { passThroughAuthClient } = await import(${JSON.stringify(new URL('../../../src/adapters/gce/pass-through-auth.ts', import.meta.url).href)});
      const firewalls = adapter.createGceFirewalls({ project: 'p', apiEndpoint: '127.0.0.1', port: 9, protocol: 'http', authClient: passThroughAuthClient(), callTimeoutMs: 2000 });
      // The first call builds the service stubs (every method's messages resolved); port 9 refuses it.
      await firewalls.get('rule').catch(() => {});
      await firewalls.close();
      const require = createRequire(${JSON.stringify(new URL('../../../src/adapters/gce/', import.meta.url).href)});
      const loaded = require.cache[require.resolve('@google-cloud/compute/build/protos/protos.json')]?.exports;
      const v1 = loaded?.nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1?.nested ?? {};
      process.stdout.write(JSON.stringify({ reduced: clients.usesReducedComputeProtos, types: Object.keys(v1).length, instances: 'Instances' in v1 }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
    });
    const result = JSON.parse(stdout) as { reduced: boolean; types: number; instances: boolean };
    assert.equal(result.reduced, true);
    assert.equal(result.instances, false);
    assert.ok(result.types > 10 && result.types < 100, `${result.types} types loaded`);
  });
});
