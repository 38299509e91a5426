// Time as a port, so that TTLs, expiry and condition timestamps can be tested without waiting.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
