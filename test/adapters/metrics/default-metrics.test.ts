// The Node.js process metrics on /metrics: named with the service's prefix, and the event-loop lag
// still showing a blocked loop although the loop is sampled every EVENT_LOOP_SAMPLE_MS rather than
// prom-client's 10 ms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENT_LOOP_SAMPLE_MS, PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.ts';

function sampleValue(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  assert.ok(line, `${name} is exposed`);
  return Number(line.slice(name.length + 1));
}

test('the process metrics carry the exposure_api_ prefix', async () => {
  const text = await new PrometheusMetrics({ defaultMetrics: true }).registry.metrics();
  for (const name of [
    'exposure_api_process_cpu_seconds_total',
    'exposure_api_process_resident_memory_bytes',
    'exposure_api_nodejs_heap_size_used_bytes',
    'exposure_api_nodejs_eventloop_lag_p99_seconds',
  ]) {
    assert.match(text, new RegExp(`^${name} `, 'm'));
  }
});

test('a loop blocked for 150 ms shows in the event-loop lag metrics', async () => {
  const { registry } = new PrometheusMetrics({ defaultMetrics: true });
  await sleep(3 * EVENT_LOOP_SAMPLE_MS);
  // Collecting resets the lag histogram: what the next collection shows is what happened after.
  await registry.metrics();
  // A synchronous stall, as a runaway computation would cause, in a callback of its own.
  setTimeout(() => {
    const blockedUntil = performance.now() + 150;
    while (performance.now() < blockedUntil) {}
  }, EVENT_LOOP_SAMPLE_MS);
  await sleep(5 * EVENT_LOOP_SAMPLE_MS);
  const text = await registry.metrics();
  const max = sampleValue(text, 'exposure_api_nodejs_eventloop_lag_max_seconds');
  assert.ok(max >= 0.09, `lag max ${max} s reflects the 150 ms stall`);
});
