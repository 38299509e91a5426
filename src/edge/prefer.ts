// The RFC 7240 `Prefer` header: `wait=N` (answer once done or after N seconds) and
// `respond-async` (answer at once).

export interface Preferences {
  waitSeconds?: number;
  respondAsync: boolean;
}

export const MAX_WAIT_SECONDS = 60;

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const preferences: Preferences = { respondAsync: false };
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const token of values.flatMap((value) => value.split(','))) {
    const [name = '', value] = token.split(';')[0]?.trim().split('=') ?? [];
    const key = name.trim().toLowerCase();
    if (key === 'respond-async') preferences.respondAsync = true;
    if (key === 'wait' && value !== undefined && /^\d+$/.test(value.trim())) {
      preferences.waitSeconds = Math.min(MAX_WAIT_SECONDS, Number(value.trim()));
    }
  }
  return preferences;
}
