// Reads a JSON request body into typed firewall fields, rejecting values of the wrong JSON type
// the way the API's decoder does. Output-only fields (id, selfLink, kind, creationTimestamp...)
// and unknown fields are ignored, as the real API ignores them. A `null` is kept as an own
// property with the value `undefined`: in a PATCH (JSON merge patch) it clears the field.

import { parseError, wrongType } from './api-error.ts';
import type { FirewallFields, LogConfig, ProtocolPorts } from './firewall-resource.ts';

const stringFields = ['name', 'description', 'network', 'direction'] as const;
const stringListFields = [
  'sourceRanges',
  'destinationRanges',
  'sourceTags',
  'targetTags',
  'sourceServiceAccounts',
  'targetServiceAccounts',
] as const;
const booleanFields = ['disabled', 'enableLogging'] as const;

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw parseError();
  }
}

export function readFirewallBody(body: unknown): FirewallFields {
  if (!isObject(body)) throw wrongType('resource', 'TYPE_MESSAGE', body);
  const fields: FirewallFields = {};
  for (const key of stringFields) {
    if (key in body) fields[key] = readString(body[key], `resource.${key}`);
  }
  for (const key of stringListFields) {
    if (key in body) fields[key] = readList(body[key], `resource.${key}`, readString);
  }
  for (const key of booleanFields) {
    if (key in body) fields[key] = readBoolean(body[key], `resource.${key}`);
  }
  if ('priority' in body) fields.priority = readInt32(body.priority, 'resource.priority');
  if ('allowed' in body) fields.allowed = readList(body.allowed, 'resource.allowed', readProtocolPorts);
  if ('denied' in body) fields.denied = readList(body.denied, 'resource.denied', readProtocolPorts);
  if ('logConfig' in body) fields.logConfig = readLogConfig(body.logConfig, 'resource.logConfig');
  return fields;
}

function readProtocolPorts(value: unknown, field: string): ProtocolPorts {
  if (!isObject(value)) throw wrongType(field, 'TYPE_MESSAGE', value);
  const entry: ProtocolPorts = { IPProtocol: readString(value.IPProtocol, `${field}.IPProtocol`) ?? '' };
  const ports = readList(value.ports, `${field}.ports`, readString);
  if (ports !== undefined && ports.length > 0) entry.ports = ports;
  return entry;
}

function readLogConfig(value: unknown, field: string): Partial<LogConfig> | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isObject(value)) throw wrongType(field, 'TYPE_MESSAGE', value);
  const config: Partial<LogConfig> = {};
  const enable = readBoolean(value.enable, `${field}.enable`);
  if (enable !== undefined) config.enable = enable;
  const metadata = readString(value.metadata, `${field}.metadata`);
  if (metadata !== undefined) config.metadata = metadata;
  return config;
}

function readString(value: unknown, field: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'TYPE_STRING', value);
  return value;
}

function readBoolean(value: unknown, field: string): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'TYPE_BOOL', value);
  return value;
}

/** Proto3 JSON allows an int32 as a number or as a decimal string. */
function readInt32(value: unknown, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || Math.abs(number) > 2 ** 31) {
    throw wrongType(field, 'TYPE_INT32', value);
  }
  return number;
}

function readList<T>(
  value: unknown,
  field: string,
  readItem: (item: unknown, itemField: string) => T | undefined,
): T[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Array.isArray(value)) throw wrongType(field, 'TYPE_LIST', value);
  return value.map((item, index) => {
    const read = readItem(item, `${field}[${index}]`);
    if (read === undefined) throw wrongType(`${field}[${index}]`, 'TYPE_VALUE', item);
    return read;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
