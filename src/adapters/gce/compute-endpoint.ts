// The Compute API endpoint the configuration names: the real API by default, or a base URL such
// as an emulator's (`gce.endpoint`).
import type { Config } from '../../config/schema.ts';
import type { GceFirewallsConfig } from './gce-firewalls.ts';
import { passThroughAuthClient } from './pass-through-auth.ts';

/** Where the Compute API is: the real one, or the base URL `gce.endpoint` names (an emulator). */
export function computeEndpoint(config: Config): Partial<GceFirewallsConfig> {
  if (!config.gce.endpoint) return {};
  const url = new URL(config.gce.endpoint);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    apiEndpoint: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
    // A plain-HTTP endpoint is an emulator: never send it (or look up) real credentials.
    ...(protocol === 'http' && { authClient: passThroughAuthClient() }),
  };
}
