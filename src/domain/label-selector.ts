// Kubernetes label selectors (`app=web,tier!=db,env in (a,b),!legacy`), so that callers filter
// exposures with the syntax they already use with kubectl.
import { LABEL_KEY, LABEL_VALUE } from './patterns.ts';

export type Requirement =
  | { key: string; op: 'in'; values: string[] }
  | { key: string; op: 'notin'; values: string[] }
  | { key: string; op: 'exists' }
  | { key: string; op: 'doesnotexist' };

export type SelectorParseResult = { ok: true; requirements: Requirement[] } | { ok: false; detail: string };

const KEY = new RegExp(LABEL_KEY);
const VALUE = new RegExp(LABEL_VALUE);

export function parseLabelSelector(text: string): SelectorParseResult {
  const requirements: Requirement[] = [];
  for (const clause of splitClauses(text)) {
    const trimmed = clause.trim();
    if (trimmed === '') return { ok: false, detail: 'empty requirement (two commas in a row?)' };
    const parsed = parseClause(trimmed);
    if (typeof parsed === 'string') return { ok: false, detail: parsed };
    requirements.push(parsed);
  }
  return { ok: true, requirements };
}

/** Splits on commas outside parentheses (`env in (a,b)` is one clause). */
function splitClauses(text: string): string[] {
  if (text.trim() === '') return [];
  const clauses: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      clauses.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  clauses.push(current);
  return clauses;
}

function parseClause(clause: string): Requirement | string {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(clause);
  if (setMatch) {
    const [, key = '', op, list = ''] = setMatch;
    const values = list.split(',').map((v) => v.trim());
    if (!KEY.test(key)) return `'${key}' is not a valid label key`;
    if (values.some((v) => !VALUE.test(v))) return `invalid value in '${clause}'`;
    return { key, op: op === 'in' ? 'in' : 'notin', values };
  }
  const equality = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(clause);
  if (equality) {
    const [, key = '', op, value = ''] = equality;
    if (!KEY.test(key)) return `'${key}' is not a valid label key`;
    if (!VALUE.test(value)) return `'${value}' is not a valid label value`;
    return { key, op: op === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (clause.startsWith('!')) {
    const key = clause.slice(1).trim();
    if (!KEY.test(key)) return `'${key}' is not a valid label key`;
    return { key, op: 'doesnotexist' };
  }
  if (KEY.test(clause)) return { key: clause, op: 'exists' };
  return `cannot parse '${clause}'`;
}

export function matchesSelector(
  labels: Readonly<Record<string, string>>,
  requirements: readonly Requirement[],
): boolean {
  return requirements.every((requirement) => {
    const value = labels[requirement.key];
    switch (requirement.op) {
      case 'exists':
        return value !== undefined;
      case 'doesnotexist':
        return value === undefined;
      case 'in':
        return value !== undefined && requirement.values.includes(value);
      case 'notin':
        return value === undefined || !requirement.values.includes(value);
      default:
        return false;
    }
  });
}

/** `app=elasticsearch,tier=data`: how a map selector reads in messages. */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
