// A reason to refuse a request, found before anything is written. `invalid` input is malformed
// (400); a `policy` violation is well-formed but not allowed by this installation (422).

export type ViolationKind = 'invalid' | 'policy';

export interface Violation {
  kind: ViolationKind;
  /** JSON Pointer into the request body, e.g. `/sourceRanges/1`. */
  pointer: string;
  detail: string;
}

export function invalid(pointer: string, detail: string): Violation {
  return { kind: 'invalid', pointer, detail };
}

export function policy(pointer: string, detail: string): Violation {
  return { kind: 'policy', pointer, detail };
}

/** Escapes one JSON Pointer reference token (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function pointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}
