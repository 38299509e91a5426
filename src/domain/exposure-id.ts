// Exposure ids are `exp_` + a lower-case ULID: sortable by creation time (so list pages are
// stable), unguessable enough for URLs, and valid as a Kubernetes label value and inside a GCE
// firewall rule name.
import { decodeTime, ulid } from 'ulid';
import { EXPOSURE_ID } from './patterns.ts';

export type ExposureId = `exp_${string}`;

const EXPOSURE_ID_REGEX = new RegExp(EXPOSURE_ID);

export function newExposureId(nowMs: number = Date.now()): ExposureId {
  return `exp_${ulid(nowMs).toLowerCase()}`;
}

export function isExposureId(value: string): value is ExposureId {
  return EXPOSURE_ID_REGEX.test(value);
}

/** The 26-character ULID of an id, used inside firewall rule names. */
export function exposureIdSuffix(id: ExposureId): string {
  return id.slice('exp_'.length);
}

/** When the id was made (the ULID's timestamp), in milliseconds since the epoch. */
export function exposureIdTime(id: ExposureId): number {
  return decodeTime(exposureIdSuffix(id).toUpperCase());
}
