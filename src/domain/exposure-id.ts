// Exposure ids are `exp_` + a lower-case ULID: sortable by creation time (so list pages are
// stable), unguessable enough for URLs, and valid as a Kubernetes label value and inside a GCE
// firewall rule name.
import { ulid } from 'ulid';
import { EXPOSURE_ID } from './patterns.ts';

export type ExposureId = `exp_${string}`;

const EXPOSURE_ID_REGEX = new RegExp(EXPOSURE_ID);
/** Crockford's base 32, in the lower case of exposure ids: the value of each digit is its index. */
const CROCKFORD_BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
/** The first 10 characters of a ULID hold its time. */
const TIME_LENGTH = 10;

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

/**
 * When the id was made (the ULID's timestamp), in milliseconds since the epoch. Total over every
 * string the id pattern admits: an id whose time lies beyond ULID's 48 bits (a first character
 * above 7, which no ULID has) decodes to that far-future time rather than throwing, as the `ulid`
 * package's decodeTime does — such an id names no exposure, and asking for it is a 404.
 */
export function exposureIdTime(id: ExposureId): number {
  const suffix = exposureIdSuffix(id);
  let time = 0;
  // 10 digits of 5 bits: at most 2^50 - 1, exact in a double.
  for (let index = 0; index < TIME_LENGTH; index++) {
    time = time * 32 + CROCKFORD_BASE32.indexOf(suffix.charAt(index));
  }
  return time;
}
