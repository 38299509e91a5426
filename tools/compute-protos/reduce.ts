// The part of @google-cloud/compute's protocol definition (build/protos/protos.json, 12 MB: every
// Compute Engine API) that the Firewalls and GlobalOperations clients use: their two services, and
// every message and enum their methods reach, found by following the fields' types. The generated
// clients need nothing else (they look up their service and encode and decode its messages), so a
// client given this subset behaves as with the whole definition while loading about 1 % of it.
//
// The result is written to src/adapters/gce/compute-protos.json by `npm run compute-protos`;
// test/adapters/gce/compute-protos.test.ts derives it again from the installed library and fails
// when the committed copy is no longer what the library holds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The services the adapter calls (src/adapters/gce/gce-firewalls.ts). */
export const COMPUTE_SERVICES = [
  'google.cloud.compute.v1.Firewalls',
  'google.cloud.compute.v1.GlobalOperations',
] as const;

/** A namespace, message, enum or service of a protobuf.js JSON definition. */
export interface ProtoJsonNode {
  options?: Record<string, unknown>;
  nested?: Record<string, ProtoJsonNode>;
  [key: string]: unknown;
}

export interface ReducedComputeProtos {
  /** The library the subset was taken from; the adapter uses it only with that version. */
  library: { name: '@google-cloud/compute'; version: string };
  services: readonly string[];
  definition: ProtoJsonNode;
}

const require = createRequire(import.meta.url);
// The protobuf.js the generated clients load their definition with (a dependency of google-gax).
const protobuf = createRequire(require.resolve('google-gax'))('protobufjs') as typeof import('protobufjs');

/** Where the installed library keeps its whole definition, and its version. */
export function installedComputeProtos(): { path: string; version: string } {
  const packageJson = require.resolve('@google-cloud/compute/package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  return { path: join(dirname(packageJson), 'build', 'protos', 'protos.json'), version };
}

/** The subset of `full` that `services` reach. */
export function reduceComputeProtos(
  full: ProtoJsonNode,
  version: string,
  services: readonly string[] = COMPUTE_SERVICES,
): ReducedComputeProtos {
  const root = protobuf.Root.fromJSON(full);
  const wanted = new Set<string>();
  const visit = (type: import('protobufjs').ReflectionObject | null | undefined): void => {
    if (!type || wanted.has(type.fullName)) return;
    wanted.add(type.fullName);
    if (type instanceof protobuf.Type) {
      for (const field of type.fieldsArray) {
        field.resolve();
        visit(field.resolvedType);
      }
      // Nested declarations are copied with their parent, so what they reach is needed too.
      for (const nested of type.nestedArray) visit(nested);
    }
  };
  for (const name of services) {
    const service = root.lookupService(name);
    wanted.add(service.fullName);
    for (const method of service.methodsArray) {
      method.resolve();
      visit(method.resolvedRequestType);
      visit(method.resolvedResponseType);
    }
  }
  const definition: ProtoJsonNode = {};
  for (const fullName of [...wanted].sort()) {
    const path = fullName.replace(/^\./, '').split('.');
    let source = full;
    let target = definition;
    let copied = false;
    for (const [i, segment] of path.entries()) {
      const next = source.nested?.[segment];
      if (!next) throw new Error(`${fullName} is not in the definition`);
      if (i === path.length - 1 || !isNamespace(next)) {
        // A message, enum or service (with whatever it nests): copied whole, once.
        target.nested ??= {};
        target.nested[segment] ??= next;
        copied = true;
        break;
      }
      target.nested ??= {};
      target.nested[segment] ??= next.options ? { options: next.options } : {};
      source = next;
      target = target.nested[segment] as ProtoJsonNode;
    }
    if (!copied) throw new Error(`${fullName} could not be copied`);
  }
  return { library: { name: '@google-cloud/compute', version }, services, definition };
}

/** A plain namespace (a package), as opposed to a message, an enum or a service. */
function isNamespace(node: ProtoJsonNode): boolean {
  return !('fields' in node) && !('values' in node) && !('methods' in node);
}

/** Reduces the installed library's definition. */
export function reduceInstalledComputeProtos(): ReducedComputeProtos {
  const { path, version } = installedComputeProtos();
  return reduceComputeProtos(JSON.parse(readFileSync(path, 'utf8')) as ProtoJsonNode, version);
}
