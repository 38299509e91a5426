// The comparison side of the read benchmark, in a process of its own: a bare Fastify app (no
// logging, no hooks, no auth) serving the given JSON from one route, as a hand-written service
// would. Reads the JSON from stdin, announces its URL on stdout.
import { text } from 'node:stream/consumers';
import Fastify from 'fastify';

const json: unknown = JSON.parse(await text(process.stdin));
const app = Fastify({ logger: false });
app.get('/exposure', async () => json);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${url}/exposure\n`);

process.on('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});
