// The V8 heap flags a pod installed with the Helm chart's default values runs with
// (heapLimitMegabytes and semiSpaceMegabytes in helm/exposure-api/values.yaml, passed as
// --max-old-space-size and --max-semi-space-size), so that
// benchmarks measure the shipped configuration.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** The Node flags for the chart's heap sizes, or '' when the chart leaves Node's defaults. */
export function chartHeapFlag(): string {
  const values = parseYaml(
    readFileSync(new URL('../helm/exposure-api/values.yaml', import.meta.url), 'utf8'),
  ) as { heapLimitMegabytes?: number; semiSpaceMegabytes?: number };
  return [
    values.heapLimitMegabytes ? `--max-old-space-size=${values.heapLimitMegabytes}` : '',
    values.semiSpaceMegabytes ? `--max-semi-space-size=${values.semiSpaceMegabytes}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The same flags as arguments for `node`. */
export function chartNodeFlags(): string[] {
  return chartHeapFlag().split(' ').filter(Boolean);
}
