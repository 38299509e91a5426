// `npm run sandbox`: starts the sandbox on fixed loopback ports and prints how to use it.
import closeWithGrace from 'close-with-grace';
import type { Config } from '../config/schema.ts';
import { SANDBOX_PROJECT, SANDBOX_TOKENS, startSandbox } from './sandbox.ts';

const port = Number(process.env.PORT ?? 8080);
const emulatorPort = Number(process.env.EMULATOR_PORT ?? 8085);
process.env.METADATA_SERVER_DETECTION ??= 'none';

const logLevel = (process.env.LOG_LEVEL ?? 'warn') as Config['server']['logLevel'];
const sandbox = await startSandbox({ port, emulatorPort, logLevel });

const api = sandbox.apiUrl;
const nodes = sandbox.world.nodeStates();
process.stdout.write(`
exposure-api sandbox is running (in-memory cluster, Compute Engine emulator, all on loopback)

  API            ${api}        (OpenAPI: ${api}/openapi.json, docs: ${api}/docs)
  token          ${SANDBOX_TOKENS.search.token}   (namespace 'search'; '${SANDBOX_TOKENS.admin.token}' may use all)
  nodes          ${nodes.map((n) => `${n.name} ${n.externalIP}/${n.internalIP}`).join(', ')}
  workload       search/elasticsearch-0 and -1 (app=elasticsearch, port 9200) on nodes 1 and 2
  GCE emulator   ${sandbox.emulator.url}  project ${SANDBOX_PROJECT}

Try it:
  export TOKEN=${SANDBOX_TOKENS.search.token}
  curl -s -X POST ${api}/exposures -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \\
    -d '{"namespace":"search","name":"elasticsearch","selector":{"app":"elasticsearch"},"ports":[{"name":"http","port":9200,"nodePort":30920}],"sourceRanges":["203.0.113.0/24"],"labels":{"app":"elasticsearch","team":"search"}}'
  curl -s -X POST ${api}/sandbox/nodes/sandbox-node-2/fail -H "Authorization: Bearer ${SANDBOX_TOKENS.admin.token}"

Point gcloud at the emulator:
  export CLOUDSDK_CONFIG=$(mktemp -d) CLOUDSDK_CORE_PROJECT=${SANDBOX_PROJECT} CLOUDSDK_AUTH_ACCESS_TOKEN=sandbox \\
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE=${sandbox.emulator.computeEndpoint} \\
    CLOUDSDK_CORE_CHECK_GCE_METADATA=false CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true \\
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true
  gcloud compute firewall-rules list --quiet

Stop with Ctrl-C.
`);

closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err) process.stderr.write(`${err.stack ?? err}\n`);
  await sandbox.close();
});
