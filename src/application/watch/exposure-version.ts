// The version of what an exposure shows, used as the id of the watch events that carry it. It is a
// digest of the state itself, not a counter, so every replica computes the same id for the same
// state without sharing anything: a client resuming with the id it last saw gets the state again
// from any replica only if it differs.
import { createHash } from 'node:crypto';
import type { Exposure } from '../../schemas/exposure.ts';

/**
 * Fields that say when or how fast something was observed rather than what was observed: each
 * probe renews them, and the Reachable condition's transition time is kept per replica. Left out of
 * the version, they neither make an event of their own nor make replicas disagree.
 */
const OBSERVATION_FIELDS: ReadonlySet<string> = new Set(['checkedAt', 'latencyMs', 'lastTransitionTime']);

/** Bytes of the SHA-256 kept: 128 bits, 22 base64url characters. */
const VERSION_BYTES = 16;

export function exposureVersion(exposure: Exposure, etag: string): string {
  const shown = JSON.stringify(exposure, (key, value: unknown) =>
    OBSERVATION_FIELDS.has(key) ? undefined : value,
  );
  return createHash('sha256')
    .update(etag)
    .update('\n')
    .update(shown)
    .digest()
    .subarray(0, VERSION_BYTES)
    .toString('base64url');
}
