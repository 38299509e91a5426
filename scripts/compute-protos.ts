// `npm run compute-protos`: writes the part of @google-cloud/compute's protocol definition the GCE
// adapter's clients use (src/adapters/gce/compute-protos.json) from the installed library. Run it
// after updating the library; test/adapters/gce/compute-protos.test.ts fails until then.
import { writeFileSync } from 'node:fs';
import { reduceInstalledComputeProtos } from '../tools/compute-protos/reduce.ts';

const target = new URL('../src/adapters/gce/compute-protos.json', import.meta.url);
const reduced = reduceInstalledComputeProtos();
writeFileSync(target, `${JSON.stringify(reduced, null, 1)}\n`);
process.stdout.write(
  `wrote ${target.pathname}: ${reduced.services.join(', ')} from ${reduced.library.name} ${reduced.library.version}\n`,
);
