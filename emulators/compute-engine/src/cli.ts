#!/usr/bin/env node
// `compute-emulator [--port 8085] [--project sandbox] [--quota 500] ...`: runs the Compute Engine
// emulator on its own and prints the environment that points gcloud at it. `--help` lists the
// options, including the fault injection ones.

import { parseArgs } from 'node:util';
import { type ComputeFaults, startComputeEmulator } from './compute-emulator.ts';

const usage = `Usage: compute-emulator [options]

A local Compute Engine firewall API (global firewalls and operations, the batch endpoint).

Options:
  --port <n>                     port to listen on; 0 picks a free one (default 8085)
  --host <address>               interface to listen on (default 127.0.0.1)
  --project <id>                 project printed in the gcloud settings (default sandbox);
                                 every project id is accepted
  --quota <n>                    firewall rules per project before QUOTA_EXCEEDED (default 500)
  --operation-done-after-ms <n>  how long an operation stays RUNNING (default 20)
  --error-rate <0..1>            share of requests answered with an injected error (default 0)
  --error-statuses <list>        statuses to pick from, comma-separated (default 503)
  --latency-ms <n | min-max>     delay before every answer, fixed or a range (default 0)
  --seed <n>                     makes the sequence of injected failures repeatable
  --help                         show this text
`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8085' },
    host: { type: 'string', default: '127.0.0.1' },
    project: { type: 'string', default: 'sandbox' },
    quota: { type: 'string', default: '500' },
    'operation-done-after-ms': { type: 'string', default: '20' },
    'error-rate': { type: 'string' },
    'error-statuses': { type: 'string' },
    'latency-ms': { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}

/** A non-negative number from an option, or an exit with the usage when it is not one. */
function numberOption(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    process.stderr.write(
      `compute-emulator: --${name} must be a non-negative number, got '${text}'\n\n${usage}`,
    );
    process.exit(2);
  }
  return value;
}

function faultsFromOptions(): ComputeFaults | undefined {
  const faults: ComputeFaults = {};
  if (values['error-rate'] !== undefined) faults.errorRate = numberOption('error-rate', values['error-rate']);
  if (values['error-statuses'] !== undefined) {
    faults.statuses = values['error-statuses']
      .split(',')
      .map((status) => numberOption('error-statuses', status));
  }
  if (values['latency-ms'] !== undefined) {
    const [min = '', max] = values['latency-ms'].split('-');
    faults.latencyMs =
      max === undefined
        ? numberOption('latency-ms', min)
        : [numberOption('latency-ms', min), numberOption('latency-ms', max)];
  }
  if (values.seed !== undefined) faults.seed = numberOption('seed', values.seed);
  return Object.keys(faults).length > 0 ? faults : undefined;
}

const faults = faultsFromOptions();
const emulator = await startComputeEmulator({
  host: values.host,
  port: numberOption('port', values.port),
  firewallQuota: numberOption('quota', values.quota),
  operationDoneAfterMs: numberOption('operation-done-after-ms', values['operation-done-after-ms']),
  ...(faults && { faults }),
});

process.stdout.write(
  [
    `Compute Engine emulator listening on ${emulator.url}`,
    ...(faults ? [`Injecting faults: ${JSON.stringify(faults)}`] : []),
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
