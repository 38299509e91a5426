// The ETag of an exposure is a hash of its accepted spec, not of the Service's resourceVersion:
// the reconciler's status writes change the resourceVersion all the time, and If-Match must fail
// only when the spec itself changed.
import { createHash } from 'node:crypto';
import type { ExposureSpec } from './exposure-spec.ts';

export function specHash(spec: ExposureSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('base64url').slice(0, 22);
}

export function etagOf(hash: string): string {
  return `"${hash}"`;
}

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
