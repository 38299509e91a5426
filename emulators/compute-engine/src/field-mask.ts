// Partial responses, the `fields` system parameter every Google API takes (also sent as the
// `X-Goog-FieldMask` header): `items(name,sourceRanges),nextPageToken` keeps those fields only.
// Paths are separated by `/` (or `.`), a parenthesised list selects inside the field before it,
// `*` selects everything at its level; inside a list the selection applies to each element. A
// field the resource does not have is refused with 400, as the API does.
import { ApiError } from './api-error.ts';

/** Selected field → what is selected inside it (`true`: all of it). */
export type Selection = Map<string, Selection | true>;

export function parseFieldMask(mask: string): Selection {
  const parser = { text: mask.replace(/\s+/g, ''), at: 0 };
  const selection = parseList(parser);
  if (parser.at !== parser.text.length) throw invalidMask(mask);
  return selection;
}

function parseList(parser: { text: string; at: number }): Selection {
  const selection: Selection = new Map();
  for (;;) {
    const path: string[] = [];
    for (;;) {
      const name = /^(\*|[A-Za-z_][A-Za-z0-9_]*)/.exec(parser.text.slice(parser.at))?.[0];
      if (!name) throw invalidMask(parser.text);
      path.push(name);
      parser.at += name.length;
      const separator = parser.text[parser.at];
      if (separator !== '/' && separator !== '.') break;
      parser.at++;
    }
    let inner: Selection | true = true;
    if (parser.text[parser.at] === '(') {
      parser.at++;
      inner = parseList(parser);
      if (parser.text[parser.at] !== ')') throw invalidMask(parser.text);
      parser.at++;
    }
    merge(selection, path, inner);
    if (parser.text[parser.at] !== ',') return selection;
    parser.at++;
  }
}

function merge(selection: Selection, path: string[], inner: Selection | true): void {
  const [head, ...rest] = path as [string, ...string[]];
  const existing = selection.get(head);
  if (rest.length === 0) {
    if (inner === true || existing === true) selection.set(head, true);
    else if (existing) for (const [key, value] of inner) merge(existing, [key], value);
    else selection.set(head, inner);
    return;
  }
  if (existing === true) return;
  const next: Selection = existing ?? new Map();
  selection.set(head, next);
  merge(next, rest, inner);
}

/** Fields each resource can have: a selection outside them is an error. */
export interface FieldSchema {
  [field: string]: FieldSchema | true;
}

/** Refuses a selection of a field the schema does not have. */
export function checkSelection(selection: Selection, schema: FieldSchema, mask: string): void {
  for (const [field, inner] of selection) {
    if (field === '*') continue;
    const known = schema[field];
    if (known === undefined) throw invalidMask(mask, field);
    if (inner !== true && known !== true) checkSelection(inner, known, mask);
  }
}

/** The value with only the selected fields (lists: each element). */
export function applySelection(value: unknown, selection: Selection): unknown {
  if (Array.isArray(value)) return value.map((element) => applySelection(element, selection));
  if (value === null || typeof value !== 'object') return value;
  if (selection.get('*') === true) return value;
  const kept: Record<string, unknown> = {};
  for (const [field, inner] of selection) {
    const fields: string[] = field === '*' ? Object.keys(value) : [field];
    for (const name of fields) {
      if (!(name in value)) continue;
      const child = (value as Record<string, unknown>)[name];
      kept[name] = inner === true ? child : applySelection(child, inner);
    }
  }
  return kept;
}

function invalidMask(mask: string, field?: string): ApiError {
  return new ApiError(
    400,
    'invalidParameter',
    field === undefined ? `Invalid field selection ${mask}` : `Invalid field selection ${field}`,
  );
}

const allowed: FieldSchema = { IPProtocol: true, ports: true };

/** A compute#firewall. */
export const FIREWALL_FIELDS: FieldSchema = {
  kind: true,
  id: true,
  creationTimestamp: true,
  name: true,
  description: true,
  network: true,
  priority: true,
  sourceRanges: true,
  destinationRanges: true,
  sourceTags: true,
  targetTags: true,
  sourceServiceAccounts: true,
  targetServiceAccounts: true,
  allowed,
  denied: allowed,
  direction: true,
  logConfig: { enable: true, metadata: true },
  enableLogging: true,
  disabled: true,
  selfLink: true,
  params: true,
};

/** A compute#firewallList. */
export const FIREWALL_LIST_FIELDS: FieldSchema = {
  kind: true,
  id: true,
  items: FIREWALL_FIELDS,
  nextPageToken: true,
  selfLink: true,
  warning: true,
};
