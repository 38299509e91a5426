// The two generated Compute Engine clients the adapter uses, loaded with only the part of the
// library's protocol definition they need.
//
// Each generated client module loads the package's whole definition (build/protos/protos.json:
// 12 MB of JSON for every Compute Engine API) with `require`, and google-gax turns all of it into
// protobuf.js reflection objects: together some 100 MB of memory for two services. The clients look
// up nothing but their own service and the messages its methods reach, so before their modules
// load, the module cache is given that subset under the definition's path
// (compute-protos.json, derived from the library by tools/compute-protos/reduce.ts and checked
// against the installed library by test/adapters/gce/compute-protos.test.ts).
//
// The subset is used only with the library version it was derived from: with any other version
// the clients load the whole definition as they would on their own (correct, only heavier).
import { createRequire, Module } from 'node:module';
import type { FirewallsClient as FirewallsClientType } from '@google-cloud/compute/build/src/v1/firewalls_client.js';
import type { GlobalOperationsClient as GlobalOperationsClientType } from '@google-cloud/compute/build/src/v1/global_operations_client.js';
import reduced from './compute-protos.json' with { type: 'json' };

const require = createRequire(import.meta.url);

/** Whether the clients were loaded with the subset (false: the library's whole definition). */
export const usesReducedComputeProtos: boolean = seedReducedDefinition();

function seedReducedDefinition(): boolean {
  const { version } = require('@google-cloud/compute/package.json') as { version: string };
  if (version !== reduced.library.version) return false;
  const path = require.resolve('@google-cloud/compute/build/protos/protos.json');
  // Already loaded whole (by another part of the process): nothing to save any more.
  if (require.cache[path]) return false;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = reduced.definition;
  require.cache[path] = module;
  return true;
}

// Loaded here, after the module cache holds the subset (an `import` would be evaluated before).
export const FirewallsClient = (
  require('@google-cloud/compute/build/src/v1/firewalls_client.js') as {
    FirewallsClient: typeof FirewallsClientType;
  }
).FirewallsClient;
export const GlobalOperationsClient = (
  require('@google-cloud/compute/build/src/v1/global_operations_client.js') as {
    GlobalOperationsClient: typeof GlobalOperationsClientType;
  }
).GlobalOperationsClient;
export type FirewallsClient = FirewallsClientType;
export type GlobalOperationsClient = GlobalOperationsClientType;
