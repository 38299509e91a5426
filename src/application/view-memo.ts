// The memo of a full read of one exposure: its last answer's text and what that text was made
// from, so that a read of unchanged inputs is answered with the kept text (see ExposureViews).
import type { ClusterNode, ServiceEndpoint } from '../domain/cluster-objects.ts';
import type { ExposureRecord } from '../domain/exposure-record.ts';
import type { ProbeOutcome } from './health-checker.ts';

/**
 * Endpoints kept across all memoized views. A memoized view is its serialized answer (≈ 350 bytes
 * an endpoint) and the probe keys it was built from (≈ 80): about 22 MB at most. Keeping the view's
 * objects as well would more than double that, for reads that are answered with the text anyway.
 * Not counted: the node list and the probe outcomes an entry refers to, which the caches share.
 */
export const MEMO_MAX_ENDPOINTS = 50_000;

/**
 * The last answer of a full read of one exposure, with what it was derived from. The endpoint
 * candidates are not kept: they are derived again when the answer has to be built again, which
 * happens when the probe results changed, and probing costs far more.
 */
export interface ViewMemo {
  record: ExposureRecord;
  nodes: readonly ClusterNode[];
  serviceEndpoints: readonly ServiceEndpoint[];
  /** How many endpoints the exposure has (what the memo's bound counts). */
  endpoints: number;
  /** The probe key of each probed endpoint, in candidate order. */
  keys: string[];
  /** The probe results `encoded` was built from, in the order of `keys`. */
  outcomes: (ProbeOutcome | undefined)[];
  /** Full reads answered from this memo (see `encoded`: the first one's text is not kept). */
  reads: number;
  encoded?: string;
  /** The endpoint limit `encoded` was built with. */
  limit?: number;
  /** The drift sweep record `encoded` was built with (verifiedAt moves with each sweep). */
  sweepVersion?: number;
}

function sameOutcomes(
  a: readonly (ProbeOutcome | undefined)[],
  b: readonly (ProbeOutcome | undefined)[],
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The memo's kept text, when it was made with this endpoint limit, this sweep and these probe results. */
export function keptText(
  memo: ViewMemo,
  limit: number,
  sweepVersion: number,
  outcomes: readonly (ProbeOutcome | undefined)[],
): string | undefined {
  return memo.encoded !== undefined &&
    memo.limit === limit &&
    memo.sweepVersion === sweepVersion &&
    sameOutcomes(outcomes, memo.outcomes)
    ? memo.encoded
    : undefined;
}
