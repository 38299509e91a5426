// Equal strings held once. What the caches keep is parsed from JSON, where every value is a string
// of its own: a workload's name, its labels and its selector repeat the same few words, kept for
// every exposure.

/**
 * `values`, changed in place: each value equal to `name`, or to the value of the same key in
 * `from`, is replaced by that string (`name` first), so that the equal copy is left to the collector.
 */
export function shareStrings(
  values: Record<string, string>,
  from: Record<string, string>,
  name?: string,
): Record<string, string> {
  for (const key of Object.keys(values)) {
    const value = values[key];
    const shared = from[key];
    if (name !== undefined && value === name) values[key] = name;
    else if (shared !== undefined && shared === value) values[key] = shared;
  }
  return values;
}
