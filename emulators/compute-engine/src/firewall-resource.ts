// The compute#firewall resource: the fields a client may write, and the complete form the
// emulator stores and answers with once the server-side defaults are filled in.

import { networkPath, parseNetworkReference, selfLink } from './links.ts';

export interface ProtocolPorts {
  IPProtocol: string;
  ports?: string[];
}

export interface LogConfig {
  enable: boolean;
  metadata?: string;
}

/** The writable fields of a rule as a client sent them; absent fields are `undefined`. */
export interface FirewallFields {
  name?: string;
  description?: string;
  network?: string;
  priority?: number;
  direction?: string;
  sourceRanges?: string[];
  destinationRanges?: string[];
  sourceTags?: string[];
  targetTags?: string[];
  sourceServiceAccounts?: string[];
  targetServiceAccounts?: string[];
  allowed?: ProtocolPorts[];
  denied?: ProtocolPorts[];
  disabled?: boolean;
  logConfig?: Partial<LogConfig>;
  enableLogging?: boolean;
}

export type Direction = 'INGRESS' | 'EGRESS';

/** A stored rule: writable fields with defaults applied, plus the server-assigned ones. */
export interface FirewallRule {
  id: string;
  creationTimestamp: string;
  name: string;
  description: string;
  /** Full URL, as the API answers it whatever form the client sent. */
  network: string;
  priority: number;
  direction: Direction;
  sourceRanges: string[];
  destinationRanges: string[];
  sourceTags: string[];
  targetTags: string[];
  sourceServiceAccounts: string[];
  targetServiceAccounts: string[];
  allowed: ProtocolPorts[];
  denied: ProtocolPorts[];
  disabled: boolean;
  logConfig: LogConfig;
  selfLink: string;
}

const openToEveryone = ['0.0.0.0/0'];

/**
 * Fills in what the API fills in for fields a client left out. Validation has run before, so
 * the network reference is known to be well-formed.
 */
export function withServerDefaults(
  fields: FirewallFields,
  project: string,
  identity: { id: string; creationTimestamp: string; selfLink: string },
): FirewallRule {
  const direction: Direction = fields.direction === 'EGRESS' ? 'EGRESS' : 'INGRESS';
  const network = parseNetworkReference(fields.network ?? 'global/networks/default', project);
  const sourceRanges = fields.sourceRanges ?? [];
  const sourceTags = fields.sourceTags ?? [];
  const sourceServiceAccounts = fields.sourceServiceAccounts ?? [];
  const destinationRanges = fields.destinationRanges ?? [];
  // The real API opens an INGRESS rule given no source at all to the whole internet (and an
  // EGRESS rule without destinations to every destination); careful clients never rely on it.
  const noSource = sourceRanges.length + sourceTags.length + sourceServiceAccounts.length === 0;
  const enableLogging = fields.logConfig?.enable ?? fields.enableLogging ?? false;
  return {
    id: identity.id,
    creationTimestamp: identity.creationTimestamp,
    selfLink: identity.selfLink,
    name: fields.name ?? '',
    description: fields.description ?? '',
    network: selfLink(networkPath(network?.project ?? project, network?.network ?? 'default')),
    priority: fields.priority ?? 1000,
    direction,
    sourceRanges: direction === 'INGRESS' && noSource ? [...openToEveryone] : sourceRanges,
    destinationRanges:
      direction === 'EGRESS' && destinationRanges.length === 0 ? [...openToEveryone] : destinationRanges,
    sourceTags,
    targetTags: fields.targetTags ?? [],
    sourceServiceAccounts,
    targetServiceAccounts: fields.targetServiceAccounts ?? [],
    allowed: fields.allowed ?? [],
    denied: fields.denied ?? [],
    disabled: fields.disabled ?? false,
    logConfig: enableLogging
      ? { enable: true, metadata: fields.logConfig?.metadata ?? 'INCLUDE_ALL_METADATA' }
      : { enable: false },
  };
}

/** The writable fields of a stored rule, the starting point of a PATCH. */
export function toFields(rule: FirewallRule): FirewallFields {
  return {
    name: rule.name,
    description: rule.description,
    network: rule.network,
    priority: rule.priority,
    direction: rule.direction,
    ...listFields(rule),
    disabled: rule.disabled,
    logConfig: rule.logConfig,
  };
}

/** The rule's list fields, in the order the API writes them. */
function listFields(rule: FirewallRule) {
  return {
    sourceRanges: rule.sourceRanges,
    destinationRanges: rule.destinationRanges,
    sourceTags: rule.sourceTags,
    targetTags: rule.targetTags,
    sourceServiceAccounts: rule.sourceServiceAccounts,
    targetServiceAccounts: rule.targetServiceAccounts,
    allowed: rule.allowed,
    denied: rule.denied,
  };
}

/** The rule as `GET` answers it: empty lists are left out, as the API leaves them out. */
export function toJson(rule: FirewallRule): Record<string, unknown> {
  const json: Record<string, unknown> = {
    kind: 'compute#firewall',
    id: rule.id,
    creationTimestamp: rule.creationTimestamp,
    name: rule.name,
    description: rule.description,
    network: rule.network,
    priority: rule.priority,
  };
  const lists = listFields(rule);
  for (const [key, list] of Object.entries(lists)) {
    if (list.length > 0) json[key] = structuredClone(list);
  }
  json.direction = rule.direction;
  json.logConfig = { ...rule.logConfig };
  json.enableLogging = rule.logConfig.enable;
  json.disabled = rule.disabled;
  json.selfLink = rule.selfLink;
  return json;
}
