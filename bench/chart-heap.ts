// The V8 heap flags a pod installed with the Helm chart's default values runs with
// (heapLimitMegabytes, semiSpaceMegabytes, semiSpaceMinimumMegabytes, memorySaverMode and
// allocationSitePretenuring in helm/exposure-api/values.yaml, passed as --max-old-space-size,
// --max-semi-space-size, --min-semi-space-size, --memory-saver-mode and
// --no-allocation-site-pretenuring) and the environment it sets for the allocator (mallocArenaMax
// and mallocMmapThresholdBytes, as MALLOC_ARENA_MAX and MALLOC_MMAP_THRESHOLD_), so that benchmarks
// measure the shipped configuration.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

interface ChartMemoryValues {
  heapLimitMegabytes?: number;
  semiSpaceMegabytes?: number;
  semiSpaceMinimumMegabytes?: number;
  mallocArenaMax?: number;
  mallocMmapThresholdBytes?: number;
  memorySaverMode?: boolean;
  allocationSitePretenuring?: boolean;
}

function chartValues(): ChartMemoryValues {
  return parseYaml(
    readFileSync(new URL('../helm/exposure-api/values.yaml', import.meta.url), 'utf8'),
  ) as ChartMemoryValues;
}

/** The Node flags of the chart's V8 settings, or '' when the chart leaves Node's defaults. */
export function chartHeapFlag(): string {
  return chartNodeFlags().join(' ');
}

/** The same flags as arguments for `node`. */
export function chartNodeFlags(): string[] {
  const values = chartValues();
  return [
    ...chartHeapSizeFlags(),
    ...(values.memorySaverMode ? ['--memory-saver-mode'] : []),
    ...(values.allocationSitePretenuring === false ? ['--no-allocation-site-pretenuring'] : []),
  ];
}

/**
 * Only the heap sizes (cap and young generation, its largest and smallest size): what the read benchmark gives the bare app it
 * compares with, which allocates little. The memory saver mode trades the collector's CPU for
 * memory, a choice of exposure-api's chart that would slow the comparison system too.
 */
export function chartHeapSizeFlags(): string[] {
  const values = chartValues();
  return [
    ...(values.heapLimitMegabytes ? [`--max-old-space-size=${values.heapLimitMegabytes}`] : []),
    ...(values.semiSpaceMegabytes ? [`--max-semi-space-size=${values.semiSpaceMegabytes}`] : []),
    ...(values.semiSpaceMinimumMegabytes
      ? [`--min-semi-space-size=${values.semiSpaceMinimumMegabytes}`]
      : []),
  ];
}

/** The environment of the chart's container for the allocator (none when the chart leaves glibc's default). */
export function chartEnvironment(): Record<string, string> {
  const { mallocArenaMax, mallocMmapThresholdBytes } = chartValues();
  return {
    ...(mallocArenaMax && { MALLOC_ARENA_MAX: String(mallocArenaMax) }),
    ...(mallocMmapThresholdBytes && { MALLOC_MMAP_THRESHOLD_: String(mallocMmapThresholdBytes) }),
  };
}

/** The chart's container environment as `NAME=value` words, for the benchmarks' headers. */
export function chartEnvironmentWords(): string[] {
  return Object.entries(chartEnvironment()).map(([name, value]) => `${name}=${value}`);
}

/** This process's environment with the chart's container environment on top (for a service process). */
export function chartProcessEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, ...chartEnvironment() };
}
