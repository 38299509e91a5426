// When an exposure with an expiry (ttlSeconds or expiresAt when it was made) is due to delete
// itself, and when the reconciler should look at it again.
import type { ExposureSpec } from './exposure-spec.ts';

/** setTimeout cannot wait longer than about 24 days; expiry is looked at at least this often. */
export const MAX_EXPIRY_WAIT_MS = 60 * 60 * 1000;

/**
 * How long after the expiry the next look is due: timers run on a monotonic clock and may fire a
 * little early by the wall clock, and a look just before the expiry would have to wait once more.
 */
const AFTER_EXPIRY_MS = 10;

type WithExpiry = Pick<ExposureSpec, 'expiresAt'>;

/** The expiry in milliseconds since the epoch, or undefined for an exposure that never expires. */
export function expiryTime(spec: WithExpiry): number | undefined {
  return spec.expiresAt === undefined ? undefined : Date.parse(spec.expiresAt);
}

/** Whether the exposure has expired at `nowMs` (at its expiry exactly, it has). */
export function hasExpired(spec: WithExpiry, nowMs: number): boolean {
  const expiresAt = expiryTime(spec);
  return expiresAt !== undefined && expiresAt <= nowMs;
}

/**
 * How long to wait before looking at an exposure that has not expired yet: until just after its
 * expiry, but never longer than an hour (timers cannot reach a year away). Undefined when it never
 * expires.
 */
export function nextExpiryCheckMs(spec: WithExpiry, nowMs: number): number | undefined {
  const expiresAt = expiryTime(spec);
  if (expiresAt === undefined) return undefined;
  return Math.min(expiresAt - nowMs + AFTER_EXPIRY_MS, MAX_EXPIRY_WAIT_MS);
}
