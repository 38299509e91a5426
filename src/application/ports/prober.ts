// The port that checks whether one endpoint answers: a TCP connect, or an HTTP GET.
import type { ProbeTarget } from '../../domain/endpoints.ts';

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  /** Why it failed (`connection refused`, `timed out after 1000 ms`, `HTTP 503`). */
  error?: string;
}

export interface Prober {
  probe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult>;
}
