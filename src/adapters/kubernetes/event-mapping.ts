// Kubernetes Events (core/v1) reduced to what `GET /exposures/{id}/events` shows. Events come in
// two styles: the event recorder's (firstTimestamp, lastTimestamp, count, source) and the
// events.k8s.io one's (eventTime, series, reportingComponent); either is read.
import type { CoreV1Event } from '@kubernetes/client-node';
import type { ServiceEventObservation } from '../../domain/recent-events.ts';
import { timestamp, type Wire } from './object-mapping.ts';

/** The Events the informer asks for: those about Services (a field selector the apiserver indexes). */
export const SERVICE_EVENTS_FIELD_SELECTOR = 'involvedObject.kind=Service';

export function toServiceEventObservation(event: Wire<CoreV1Event>): ServiceEventObservation {
  const eventTime = seconds(timestamp(event.eventTime ?? undefined));
  const first =
    seconds(timestamp(event.firstTimestamp ?? undefined)) ??
    eventTime ??
    seconds(timestamp(event.metadata?.creationTimestamp)) ??
    '';
  const last =
    seconds(timestamp(event.lastTimestamp ?? undefined)) ??
    seconds(timestamp(event.series?.lastObservedTime ?? undefined)) ??
    eventTime ??
    first;
  return {
    serviceUid: event.involvedObject?.uid ?? '',
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: commonWord(event.reason ?? ''),
    message: event.message ?? '',
    count: event.count ?? event.series?.count ?? 1,
    firstTimestamp: first,
    // One string when both are the same time (the usual case: an Event seen once).
    lastTimestamp: last === first ? first : last,
    source: commonWord(event.reportingComponent || event.source?.component || ''),
  };
}

/**
 * Reasons and components are a few words repeated over thousands of kept Events, each a string of
 * its own as parsed; the cache holds one copy of each. The table stops growing at its bound (a
 * cluster whose Events carry ever new reasons keeps their own strings instead).
 */
const COMMON_WORDS_BOUND = 1_000;
const commonWords = new Map<string, string>();

function commonWord(word: string): string {
  const known = commonWords.get(word);
  if (known !== undefined) return known;
  if (commonWords.size < COMMON_WORDS_BOUND) commonWords.set(word, word);
  return word;
}

/** MicroTime (`…:05.123456Z`) to whole seconds, as the API's other times are written. */
function seconds(value: string | undefined): string | undefined {
  return value?.replace(/\.\d+Z$/, 'Z');
}
