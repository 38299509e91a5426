// The service side of the read benchmark, in a process of its own: the sandbox (the real service
// over the in-memory cluster and the Compute emulator) with the production defaults exactly as a
// deployment gets them — info-level request logs written to stdout, the 5 s probe cache, every hook —
// and one Ready exposure. Logs go to this process's stdout, which the benchmark drains as a log
// collector would. The exposure's URL and the JSON it serves are announced on file descriptor 3.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { SANDBOX_TOKENS, startSandbox } from '../src/sandbox/sandbox.ts';
import { createRequest } from '../test/builders/create-request.ts';
import { startFloorListener } from './floor-listener.ts';

process.env.METADATA_SERVER_DETECTION = 'none';

const announce = createWriteStream('', { fd: 3 });
// Its own node addresses, so a sandbox started by hand on this host does not answer our probes.
// One exception to the defaults: the load generator is one caller, so its read limit is raised
// beyond what a run can reach. The limiter still runs on every request, so its cost is measured.
// --identity=oidc-kubernetes: the caller is an OIDC user of the sandbox's issuer (a member of a
// group granted exposures in `search` by a RoleBinding) and every decision is a SubjectAccessReview
// (cached with the default TTLs); otherwise a static token with static namespaces.
// --nodes-at=127.77.N: the sandbox's node addresses (127.77.N.x inside, 127.77.N+1.x outside), so that
// two of these processes can run side by side.
// --floor: also starts floor-listener.ts in this process and announces its URL as floorUrl.
const { values } = parseArgs({
  options: {
    identity: { type: 'string', default: 'static' },
    'nodes-at': { type: 'string' },
    floor: { type: 'boolean', default: false },
  },
});
const oidcKubernetes = values.identity === 'oidc-kubernetes';
const sandbox = await startSandbox({
  port: 0,
  emulatorPort: 0,
  nodeNetwork: nodeNetwork(values['nodes-at'] ?? (oidcKubernetes ? '127.77.3' : '127.77.1')),
  config: {
    rateLimit: { reads: { max: 1_000_000_000 } },
    ...(oidcKubernetes && { authorization: { mode: 'kubernetes' } }),
  },
});
const authorization = oidcKubernetes
  ? `Bearer ${await sandbox.oidcIssuer.sign(
      { sub: 'bench', email: 'bench@example.com', email_verified: true, groups: ['search-team'] },
      { audience: 'exposure-api', expiresInSeconds: 6 * 3600 },
    )}`
  : `Bearer ${SANDBOX_TOKENS.search.token}`;
function nodeNetwork(internal: string): { internal: string; external: string } {
  const [a, b, c] = internal.split('.');
  return { internal, external: `${a}.${b}.${Number(c) + 1}` };
}
const created = await sandbox.runtime.app.inject({
  method: 'POST',
  url: '/exposures',
  headers: { authorization, 'content-type': 'application/json', prefer: 'wait=10' },
  payload: JSON.stringify(createRequest()),
});
const exposure = created.json() as { id: string; status: { phase: string } };
if (exposure.status.phase !== 'Ready') throw new Error(`the exposure is ${exposure.status.phase}, not Ready`);
const read = await sandbox.runtime.app.inject({
  method: 'GET',
  url: `/exposures/${exposure.id}`,
  headers: { authorization },
});
const floor = values.floor
  ? await startFloorListener({ body: read.body, etag: String(read.headers.etag) }, sandbox.runtime.app.server)
  : undefined;
announce.write(
  `${JSON.stringify({ url: `${sandbox.apiUrl}/exposures/${exposure.id}`, authorization, body: read.body, floorUrl: floor?.url })}\n`,
);

process.on('SIGTERM', async () => {
  await floor?.close();
  await sandbox.close();
  process.exit(0);
});
