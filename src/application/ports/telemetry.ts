// Adapters report every call they make to an upstream system through this port, so that metrics
// (and the tests and benchmarks that count upstream calls) see them without knowing the adapters.

export type UpstreamSystem = 'kubernetes' | 'gce';

export interface UpstreamCall {
  system: UpstreamSystem;
  /** A short verb-noun such as `firewalls.insert` or `services.create`. */
  operation: string;
  /** `ok`, or the error kind (`NotFound`, `Unavailable`, ...). */
  outcome: string;
  seconds: number;
}

export interface UpstreamCallRecorder {
  record(call: UpstreamCall): void;
}

export const ignoreUpstreamCalls: UpstreamCallRecorder = { record() {} };
