// `npm run sandbox`: starts the sandbox on fixed loopback ports (PORT, EMULATOR_PORT), its nodes on
// a free loopback block or SANDBOX_NODE_NETWORK's, and prints how to use it.
import closeWithGrace from 'close-with-grace';
import type { Config } from '../config/schema.ts';
import {
  DEMO_AUDIENCE,
  DEMO_OIDC_GROUP,
  DEMO_OIDC_ISSUER,
  DEMO_SERVICE_ACCOUNTS,
  DEMO_USER,
} from './demo-identities.ts';
import { CLIENT_NETWORKS } from './loopback-clients.ts';
import { parseNodeNetwork } from './node-network.ts';
import { SANDBOX_PROJECT, SANDBOX_TOKENS, startSandbox } from './sandbox.ts';

const port = Number(process.env.PORT ?? 8080);
const emulatorPort = Number(process.env.EMULATOR_PORT ?? 8085);
process.env.METADATA_SERVER_DETECTION ??= 'none';

const logLevel = (process.env.LOG_LEVEL ?? 'warn') as Config['server']['logLevel'];
const nodeNetwork = process.env.SANDBOX_NODE_NETWORK
  ? parseNodeNetwork(process.env.SANDBOX_NODE_NETWORK)
  : undefined;
// SANDBOX_AUTHORIZATION=kubernetes: every decision a SubjectAccessReview on the demo RBAC rules.
const authorizationMode = process.env.SANDBOX_AUTHORIZATION === 'kubernetes' ? 'kubernetes' : 'static';
const sandbox = await startSandbox({
  port,
  emulatorPort,
  logLevel,
  ...(nodeNetwork && { nodeNetwork }),
  config: { authorization: { mode: authorizationMode } },
});

const api = sandbox.apiUrl;
const nodes = sandbox.world.nodeStates();
const { addresses } = sandbox;
const firstNode = nodes[0];
const nodePortUrl = `http://${firstNode?.externalIP ?? firstNode?.internalIP}:30920`;
const clientMapping = CLIENT_NETWORKS.map(
  (n) => `${n.loopback.replace('0/24', 'x')} as ${n.public.replace('0/24', 'x')}`,
).join(', ');
const clients = addresses.sourceRangesEnforced
  ? `a node admits a client as the firewall rules in the emulator say. A client bound to
                 ${clientMapping} (curl --interface);
                 any other, 127.0.0.1 included, is the internet: only 0.0.0.0/0 admits it. The service probes
                 from ${addresses.serviceAddress}, inside the cluster network ${addresses.clusterNetwork}, which is always admitted.`
  : `WARNING: source ranges are NOT enforced. Only 127.0.0.1 can be bound on this host's loopback
                 interface, so the sandbox runs a single node there and cannot tell its probes from a client.
                 For three nodes and the firewall, add loopback aliases and name the network, e.g. on macOS:
                   for h in 1 2 3 250; do sudo ifconfig lo0 alias 127.44.6.$h up; done
                   for h in 1 2 3; do sudo ifconfig lo0 alias 127.44.7.$h up; done
                   sudo ifconfig lo0 alias 127.203.113.10 up
                   SANDBOX_NODE_NETWORK=127.44.6 npm run sandbox`;
const reachIt = addresses.sourceRangesEnforced
  ? [
      `  curl -s --interface 127.203.113.10 ${nodePortUrl}   # from 203.0.113.10: let in`,
      `  curl -sS ${nodePortUrl}   # from 127.0.0.1, the internet: turned away`,
    ]
  : [`  curl -s ${nodePortUrl}`];
const podNodes = [...new Set(sandbox.world.pods().map((pod) => pod.nodeName))].join(' and ');
process.stdout.write(`
exposure-api sandbox is running (in-memory cluster, Compute Engine emulator, all on loopback)

  API            ${api}        (OpenAPI: ${api}/openapi.json, docs: ${api}/docs)
  token          ${SANDBOX_TOKENS.search.token}   (namespace 'search'; '${SANDBOX_TOKENS.admin.token}' may use all)
  nodes          ${nodes.map((n) => `${n.name} ${n.externalIP ? `${n.externalIP}/` : ''}${n.internalIP}`).join(', ')}
  clients        ${clients}
  workload       search/elasticsearch-0 and -1 (app=elasticsearch, port 9200) on ${podNodes}
  GCE emulator   ${sandbox.emulator.url}  project ${SANDBOX_PROJECT}

Try it:
  export TOKEN=${SANDBOX_TOKENS.search.token}
  curl -s -X POST ${api}/exposures -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H 'Prefer: wait=5' \\
    -d '{"namespace":"search","name":"elasticsearch","selector":{"app":"elasticsearch"},"ports":[{"name":"http","port":9200,"nodePort":30920}],"sourceRanges":["203.0.113.0/24"],"labels":{"app":"elasticsearch","team":"search"}}'
${reachIt.join('\n')}
  curl -s -X POST ${api}/sandbox/nodes/${(nodes[1] ?? nodes[0])?.name}/fail -H "Authorization: Bearer ${SANDBOX_TOKENS.admin.token}"

Identities (authorization: ${authorizationMode}; SANDBOX_AUTHORIZATION=kubernetes for RBAC through SubjectAccessReview):
  ServiceAccounts  ${Object.values(DEMO_SERVICE_ACCOUNTS)
    .map((sa) => `${sa.namespace}/${sa.name}`)
    .join(', ')}
                   (search-bot: every verb in search; payments-bot: in payments; portal: may impersonate anyone)
  OIDC issuer      ${sandbox.oidcIssuer.url} as '${DEMO_OIDC_ISSUER}' (group ${DEMO_OIDC_GROUP}: every verb in search)
  person           ${DEMO_USER} (get and list in search), for impersonation
                   (and ${SANDBOX_TOKENS.search.token} may act for Backstage users user:default/*; group:default/search uses search)
  # a ServiceAccount token for the audience ${DEMO_AUDIENCE}, as kubectl create token search-bot -n search --audience ${DEMO_AUDIENCE}:
  SA_TOKEN=$(curl -s -X POST ${api}/sandbox/serviceaccounts/search/search-bot/token -H "Authorization: Bearer ${SANDBOX_TOKENS.admin.token}" \\
    -H 'Content-Type: application/json' -d '{"audience":"${DEMO_AUDIENCE}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')
  curl -s ${api}/exposures -H "Authorization: Bearer $SA_TOKEN"
  # an ID token of the OIDC issuer for a member of ${DEMO_OIDC_GROUP}:
  ID_TOKEN=$(curl -s -X POST ${api}/sandbox/oidc/token -H "Authorization: Bearer ${SANDBOX_TOKENS.admin.token}" \\
    -H 'Content-Type: application/json' -d '{"email":"bob@example.com","groups":["${DEMO_OIDC_GROUP}"]}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')
  curl -s ${api}/exposures -H "Authorization: Bearer $ID_TOKEN"
  # the portal acting for ${DEMO_USER} (mint the portal's token as above, with default/portal):
  curl -s ${api}/exposures -H "Authorization: Bearer $PORTAL_TOKEN" -H 'Impersonate-User: ${DEMO_USER}'

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
