// Runs the Compute Engine emulator on its own and prints the environment that points gcloud at
// it: `scripts/node src/sandbox/compute-emulator/main.ts [--port 8085] [--project sandbox]
// [--quota 500]`.

import { parseArgs } from 'node:util';
import { startComputeEmulator } from './compute-emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8085' },
    host: { type: 'string', default: '127.0.0.1' },
    project: { type: 'string', default: 'sandbox' },
    quota: { type: 'string', default: '500' },
  },
});

const emulator = await startComputeEmulator({
  host: values.host,
  port: Number(values.port),
  firewallQuota: Number(values.quota),
});

process.stdout.write(
  [
    `Compute Engine emulator listening on ${emulator.url}`,
    '',
    'Point gcloud at it (a throw-away config, no real credentials, no metadata server):',
    `export CLOUDSDK_CONFIG="$(mktemp -d)"`,
    `export CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=${emulator.computeEndpoint}`,
    'export CLOUDSDK_AUTH_ACCESS_TOKEN=emulator',
    `export CLOUDSDK_CORE_PROJECT=${values.project}`,
    'export CLOUDSDK_CORE_CHECK_GCE_METADATA=false',
    'export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true',
    'export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true',
    '',
    'Then for instance: gcloud compute firewall-rules list --quiet',
    '',
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    emulator.close().then(() => process.exit(0));
  });
}
