// The `filter` parameter of Compute Engine list calls, in the two forms clients send:
// - the legacy form `name eq "regex"` / `name ne "regex"` (RE2 regex matched against the whole
//   value; several comparisons, each in parentheses, must all hold), which the Node client's
//   callers and gcloud's server-side filter rewriting use;
// - the newer form `name = "literal"` / `name != "literal"`, joined with `AND`.
// Anything else (OR, other operators, unknown fields) is answered with the API's 400.

import { ApiError } from './api-error.ts';

export type RuleJson = Record<string, unknown>;
export type RulePredicate = (rule: RuleJson) => boolean;

const filterableFields = new Set([
  'name',
  'description',
  'network',
  'direction',
  'priority',
  'disabled',
  'id',
  'selfLink',
  'creationTimestamp',
]);
const token = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|!=|=|[^\s()"=!]+)/y;

export function parseListFilter(filter: string | null): RulePredicate {
  if (filter === null || filter.trim() === '') return () => true;
  const tokens = tokenize(filter);
  const comparisons: RulePredicate[] = [];
  let index = 0;
  const next = () => tokens[index++];
  while (index < tokens.length) {
    const field = next();
    if (field === '(' || field === ')' || field === 'AND') continue;
    const operator = next();
    const rawValue = next();
    if (field === undefined || operator === undefined || rawValue === undefined) throw invalid(filter);
    if (!filterableFields.has(field) || ['(', ')'].includes(rawValue)) throw invalid(filter);
    comparisons.push(comparison(field, operator, unquote(rawValue), filter));
  }
  return (rule) => comparisons.every((holds) => holds(rule));
}

function comparison(field: string, operator: string, value: string, filter: string): RulePredicate {
  const read = (rule: RuleJson) => String(rule[field] ?? '');
  switch (operator) {
    case 'eq':
    case 'ne': {
      const pattern = fullMatch(value, filter);
      const wanted = operator === 'eq';
      return (rule) => pattern.test(read(rule)) === wanted;
    }
    case '=':
      return (rule) => read(rule) === value;
    case '!=':
      return (rule) => read(rule) !== value;
    default:
      throw invalid(filter);
  }
}

function fullMatch(regex: string, filter: string): RegExp {
  try {
    return new RegExp(`^(?:${regex})$`, 'u');
  } catch {
    throw invalid(filter);
  }
}

function tokenize(filter: string): string[] {
  const tokens: string[] = [];
  token.lastIndex = 0;
  while (token.lastIndex < filter.length) {
    const start = token.lastIndex;
    const match = token.exec(filter);
    if (!match?.[1]) {
      if (filter.slice(start).trim() === '') break;
      throw invalid(filter);
    }
    tokens.push(match[1]);
  }
  return tokens;
}

/** Inside quotes only `\"` is an escape: backslashes stay, since the value may be a regex. */
function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replaceAll('\\"', '"') : value;
}

function invalid(filter: string): ApiError {
  return new ApiError(
    400,
    'invalid',
    `Invalid value for field 'filter': '${filter}'. Invalid list filter expression.`,
  );
}
