// The counts of an exposure without probe results, from node totals, must be exactly those of the
// walk over nodes × ports (selectEndpoints with no outcome) for every mix of nodes, pods and ports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterNode, ObservedServicePort, ServiceEndpoint } from '../../src/domain/cluster-objects.ts';
import { type EndpointInputs, selectEndpoints } from '../../src/domain/endpoints.ts';
import { nodeTotals, unprobedEndpointCounts } from '../../src/domain/unprobed-endpoint-counts.ts';

const addressMixes: ClusterNode['addresses'][] = [
  [
    { type: 'InternalIP', address: '10.0.0.1' },
    { type: 'ExternalIP', address: '34.1.1.1' },
  ],
  [{ type: 'InternalIP', address: '10.0.0.2' }],
  [{ type: 'ExternalIP', address: '34.1.1.3' }],
  [{ type: 'Hostname', address: 'nameless' }],
  [],
  [{ type: 'InternalIP', address: '' }],
];

const portMixes: ObservedServicePort[][] = [
  [{ name: 'http', port: 80, targetPort: 80, nodePort: 30080, protocol: 'TCP' }],
  [
    { name: 'http', port: 80, targetPort: 80, nodePort: 30080, protocol: 'TCP' },
    { name: 'dns', port: 53, targetPort: 53, nodePort: 30053, protocol: 'UDP' },
  ],
  [{ name: 'dns', port: 53, targetPort: 53, nodePort: 30053, protocol: 'UDP' }],
];

test('counts from node totals equal the walk over every endpoint, for every mix', () => {
  let cases = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const nodes: ClusterNode[] = Array.from({ length: 5 + (seed % 13) }, (_, n) => ({
      name: `node-${n}`,
      ready: (n * seed) % 4 !== 1,
      addresses: addressMixes[(n + seed) % addressMixes.length] ?? [],
    }));
    const pods: ServiceEndpoint[] = Array.from({ length: seed % 5 }, (_, k) => ({
      ready: (k + seed) % 3 !== 0,
      addresses: [`10.4.0.${k}`],
      ...((k + seed) % 4 !== 0 && { nodeName: `node-${(k * 7 + seed) % 20}` }),
    }));
    const readyPods = pods.filter((pod) => pod.ready).length;
    for (const ports of portMixes) {
      for (const externalTrafficPolicy of ['Cluster', 'Local'] as const) {
        for (const healthCheck of [undefined, { type: 'tcp' as const, port: 80 }]) {
          const inputs: EndpointInputs = {
            ports,
            externalTrafficPolicy,
            nodes,
            serviceEndpoints: pods,
            probeAddressType: 'InternalIP',
            probeScope: 'uid',
            ...(healthCheck && { healthCheck }),
          };
          const walked = selectEndpoints(inputs, () => undefined, 0, readyPods).counts;
          assert.deepEqual(
            unprobedEndpointCounts(inputs, nodeTotals(nodes), readyPods),
            walked,
            `seed ${seed}, ${externalTrafficPolicy}, ${ports.length} ports`,
          );
          cases++;
        }
      }
    }
  }
  assert.equal(cases, 40 * 3 * 2 * 2);
});
