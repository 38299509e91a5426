// The sandbox shows what the firewall does: a node port is reachable from the exposure's source
// ranges and from nowhere else, following the rule as the Compute emulator holds it — widened, it
// opens; deleted, it closes — while the service's own probes, from inside the cluster, still pass.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import type { Exposure } from '../../src/schemas/exposure.ts';
import { createRequest } from '../builders/create-request.ts';
import { eventually } from '../support/eventually.ts';
import { exposureApi } from '../support/exposure-api.ts';
import { ADMIN, call, startTestSandbox } from '../support/test-sandbox.ts';
import { type ClientOutcome, getFrom } from './client-from.ts';

const FROM_203_0_113_10 = '127.203.113.10';
const FROM_198_51_100_7 = '127.198.100.7';
const FROM_THE_INTERNET = '127.0.0.1';

describe('source ranges on the simulated nodes', () => {
  let sandbox: Sandbox;
  let exposure: Exposure;
  before(async () => {
    sandbox = await startTestSandbox();
    const created = await exposureApi(sandbox, { authorization: ADMIN }).create(createRequest(), {
      prefer: 'wait=5',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status.phase, 'Ready');
    exposure = created.body;
  });
  after(() => sandbox.close());

  const project = () => sandbox.config.gce.project;
  const ruleName = () => exposure.firewall.rules[0]?.name ?? '';
  const urls = () =>
    exposure.endpoints.flatMap((endpoint) => (endpoint.serving && endpoint.url ? [endpoint.url] : []));
  const reached = (outcome: ClientOutcome) => outcome.reached && /You Know, for Search/.test(outcome.body);
  const healthStates = async () =>
    (
      await call<Exposure>(sandbox, {
        method: 'GET',
        url: `/exposures/${exposure.id}?refresh=true`,
        headers: { authorization: ADMIN },
      })
    ).body.endpoints.map((endpoint) => endpoint.health.state);
  const editRule = async (method: 'PATCH' | 'DELETE', body?: unknown) => {
    const response = await fetch(
      `${sandbox.emulator.url}/compute/v1/projects/${project()}/global/firewalls/${ruleName()}`,
      {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      },
    );
    assert.equal(response.status, 200, await response.text());
  };

  test('a client in 203.0.113.0/24 reaches every serving endpoint; 127.0.0.1 and 198.51.100.7 are turned away', async () => {
    assert.equal(urls().length, 3);
    for (const url of urls()) {
      const allowed = await getFrom(FROM_203_0_113_10, url);
      assert.ok(reached(allowed), `${url} from 203.0.113.10: ${JSON.stringify(allowed)}`);
      for (const outside of [FROM_THE_INTERNET, FROM_198_51_100_7]) {
        const refused = await getFrom(outside, url);
        assert.equal(refused.reached, false, `${url} from ${outside}: ${JSON.stringify(refused)}`);
      }
    }
    assert.deepEqual(await healthStates(), ['Healthy', 'Healthy', 'Healthy'], 'the probes come from inside');
  });

  test('the exposure widened to 198.51.100.0/24: the rule follows, and 198.51.100.7 gets in', async () => {
    const patched = await call<Exposure>(sandbox, {
      method: 'PATCH',
      url: `/exposures/${exposure.id}`,
      headers: { authorization: ADMIN, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ sourceRanges: ['203.0.113.0/24', '198.51.100.0/24'] }),
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const url = urls()[0] ?? '';
    await eventually(() => getFrom(FROM_198_51_100_7, url), reached, { what: '198.51.100.7 let in' });
    assert.equal((await getFrom(FROM_THE_INTERNET, url)).reached, false);
  });

  test('the rule widened by hand to 0.0.0.0/0: the internet gets in as soon as the rule says so', async () => {
    await editRule('PATCH', { sourceRanges: ['0.0.0.0/0'] });
    const url = urls()[0] ?? '';
    await eventually(() => getFrom(FROM_THE_INTERNET, url), reached, { what: '127.0.0.1 let in' });
  });

  test('the rule deleted: nobody outside the cluster gets in, and the probes still pass', async () => {
    await editRule('DELETE');
    assert.equal(sandbox.emulator.rules(project()).length, 0);
    for (const url of urls()) {
      for (const client of [FROM_203_0_113_10, FROM_198_51_100_7, FROM_THE_INTERNET]) {
        const refused = await getFrom(client, url);
        assert.equal(refused.reached, false, `${url} from ${client}: ${JSON.stringify(refused)}`);
      }
    }
    assert.deepEqual(await healthStates(), ['Healthy', 'Healthy', 'Healthy']);
  });
});
