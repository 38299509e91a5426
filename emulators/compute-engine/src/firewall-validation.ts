// The constraints Compute Engine enforces on a firewall rule before it accepts a write. A
// violation is a synchronous 400 with reason `invalid` (or `required`) naming the field path,
// as the real API answers it. Messages follow the real ones where they are publicly known and
// keep their form (`Invalid value for field '<path>': '<value>'. <why>`) everywhere else.

import { isIPv4, isIPv6 } from 'node:net';
import { type ApiError, invalidField, requiredField } from './api-error.ts';
import type { FirewallFields, ProtocolPorts } from './firewall-resource.ts';
import { parseNetworkReference } from './links.ts';

const resourceNamePattern = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const resourceNameRegexText = '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)';
const namedProtocols = new Set(['tcp', 'udp', 'icmp', 'esp', 'ah', 'sctp', 'ipip', 'all']);
const protocolsWithPorts = new Set(['tcp', 'udp', 'sctp', '6', '17', '132']);
const maxPortsPerRule = 100;
const maxServiceAccounts = 10;
const maxDescriptionLength = 2048;
const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Throws the ApiError the API would answer for the first violated constraint. */
export function validateFirewall(fields: FirewallFields, project: string): void {
  const problem = firstProblem(fields, project);
  if (problem) throw problem;
}

function firstProblem(fields: FirewallFields, project: string): ApiError | undefined {
  if (fields.name === undefined || fields.name === '') return requiredField('resource.name');
  if (!resourceNamePattern.test(fields.name)) {
    return invalidField('resource.name', fields.name, `Must be a match of regex '${resourceNameRegexText}'`);
  }
  if (fields.description !== undefined && fields.description.length > maxDescriptionLength) {
    return invalidField(
      'resource.description',
      fields.description,
      `Must be at most ${maxDescriptionLength} characters long.`,
    );
  }
  if (fields.network !== undefined && !parseNetworkReference(fields.network, project)) {
    return invalidField('resource.network', fields.network, 'The URL is malformed.');
  }
  if (fields.priority !== undefined && fields.priority < 0) {
    return invalidField('resource.priority', String(fields.priority), 'Must be greater than or equal to 0');
  }
  if (fields.priority !== undefined && fields.priority > 65535) {
    return invalidField('resource.priority', String(fields.priority), 'Must be less than or equal to 65535');
  }
  if (fields.direction !== undefined && fields.direction !== 'INGRESS' && fields.direction !== 'EGRESS') {
    return invalidField('resource.direction', fields.direction, 'Must be one of [EGRESS, INGRESS]');
  }
  return (
    protocolProblem(fields) ??
    rangesProblem('resource.sourceRanges', fields.sourceRanges) ??
    rangesProblem('resource.destinationRanges', fields.destinationRanges) ??
    tagsProblem('resource.sourceTags', fields.sourceTags) ??
    tagsProblem('resource.targetTags', fields.targetTags) ??
    serviceAccountsProblem('resource.sourceServiceAccounts', fields.sourceServiceAccounts) ??
    serviceAccountsProblem('resource.targetServiceAccounts', fields.targetServiceAccounts) ??
    exclusivityProblem(fields)
  );
}

function protocolProblem(fields: FirewallFields): ApiError | undefined {
  const allowed = fields.allowed ?? [];
  const denied = fields.denied ?? [];
  if (allowed.length > 0 && denied.length > 0) {
    return invalidField(
      'resource.denied',
      '',
      'A firewall rule may have either allowed or denied, not both.',
    );
  }
  if (allowed.length === 0 && denied.length === 0) return requiredField('resource.allowed');
  const [field, entries] = allowed.length > 0 ? ['resource.allowed', allowed] : ['resource.denied', denied];
  let portCount = 0;
  for (const [index, entry] of entries.entries()) {
    const problem = protocolPortsProblem(`${field}[${index}]`, entry);
    if (problem) return problem;
    portCount += entry.ports?.length ?? 0;
  }
  if (portCount > maxPortsPerRule) {
    return invalidField(
      field,
      `${portCount} ports`,
      `A firewall rule may specify at most ${maxPortsPerRule} ports or port ranges.`,
    );
  }
  return undefined;
}

function protocolPortsProblem(field: string, entry: ProtocolPorts): ApiError | undefined {
  if (entry.IPProtocol === '') return requiredField(`${field}.IPProtocol`);
  const protocol = entry.IPProtocol.toLowerCase();
  const numbered = /^\d{1,3}$/.test(protocol) && Number(protocol) <= 255;
  if (!namedProtocols.has(protocol) && !numbered) {
    return invalidField(`${field}.IPProtocol`, entry.IPProtocol, 'Invalid IP protocol specification.');
  }
  for (const [index, port] of (entry.ports ?? []).entries()) {
    const portField = `${field}.ports[${index}]`;
    if (!protocolsWithPorts.has(protocol)) {
      return invalidField(
        portField,
        port,
        'Ports may only be specified on rules whose protocol is one of [TCP, UDP, SCTP].',
      );
    }
    if (!isPortSpecification(port)) {
      return invalidField(
        portField,
        port,
        'Must be a port number or a port range <low>-<high> with 0 <= low <= high <= 65535.',
      );
    }
  }
  return undefined;
}

function isPortSpecification(port: string): boolean {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(port);
  if (!match) return false;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : Number(match[2]);
  return low <= high && high <= 65535;
}

function rangesProblem(field: string, ranges: string[] | undefined): ApiError | undefined {
  let firstFamily: 4 | 6 | undefined;
  for (const [index, range] of (ranges ?? []).entries()) {
    const family = cidrFamily(range);
    if (family === undefined) {
      return invalidField(`${field}[${index}]`, range, 'Must be a valid IPv4 or IPv6 CIDR address range.');
    }
    firstFamily ??= family;
    if (family !== firstFamily) {
      return invalidField(
        `${field}[${index}]`,
        range,
        'IPv4 and IPv6 address ranges cannot be mixed in the same firewall rule.',
      );
    }
  }
  return undefined;
}

/** 4 or 6 for an address or CIDR of that family (host bits are accepted, as the API does). */
function cidrFamily(range: string): 4 | 6 | undefined {
  const [address = '', prefix, extra] = range.split('/');
  if (extra !== undefined) return undefined;
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (family === undefined || prefix === undefined) return family;
  if (!/^\d{1,3}$/.test(prefix)) return undefined;
  return Number(prefix) <= (family === 4 ? 32 : 128) ? family : undefined;
}

function tagsProblem(field: string, tags: string[] | undefined): ApiError | undefined {
  for (const [index, tag] of (tags ?? []).entries()) {
    if (!resourceNamePattern.test(tag)) {
      return invalidField(`${field}[${index}]`, tag, `Must be a match of regex '${resourceNameRegexText}'`);
    }
  }
  return undefined;
}

function serviceAccountsProblem(field: string, accounts: string[] | undefined): ApiError | undefined {
  if (accounts === undefined) return undefined;
  if (accounts.length > maxServiceAccounts) {
    return invalidField(
      field,
      accounts.join(','),
      `Too many service accounts; at most ${maxServiceAccounts} may be specified.`,
    );
  }
  for (const [index, account] of accounts.entries()) {
    if (!emailPattern.test(account)) {
      return invalidField(`${field}[${index}]`, account, 'Must be a valid service account email address.');
    }
  }
  return undefined;
}

function exclusivityProblem(fields: FirewallFields): ApiError | undefined {
  if ((fields.targetTags?.length ?? 0) > 0 && (fields.targetServiceAccounts?.length ?? 0) > 0) {
    return invalidField(
      'resource.targetServiceAccounts',
      fields.targetServiceAccounts?.join(',') ?? '',
      'Target service accounts cannot be specified together with target tags.',
    );
  }
  if ((fields.sourceTags?.length ?? 0) > 0 && (fields.sourceServiceAccounts?.length ?? 0) > 0) {
    return invalidField(
      'resource.sourceServiceAccounts',
      fields.sourceServiceAccounts?.join(',') ?? '',
      'Source service accounts cannot be specified together with source tags.',
    );
  }
  if (fields.direction === 'EGRESS' && (fields.sourceTags?.length ?? 0) > 0) {
    return invalidField(
      'resource.sourceTags',
      fields.sourceTags?.join(',') ?? '',
      'Not allowed for EGRESS rules.',
    );
  }
  return undefined;
}
