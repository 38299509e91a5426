// The V8 heap cap a pod installed with the Helm chart's default values runs with
// (heapLimitMegabytes in helm/exposure-api/values.yaml, passed as --max-old-space-size), so that
// benchmarks measure the shipped configuration.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** The Node flag for the chart's heap cap, or '' when the chart leaves Node's default. */
export function chartHeapFlag(): string {
  const values = parseYaml(
    readFileSync(new URL('../helm/exposure-api/values.yaml', import.meta.url), 'utf8'),
  ) as { heapLimitMegabytes?: number };
  return values.heapLimitMegabytes ? `--max-old-space-size=${values.heapLimitMegabytes}` : '';
}
