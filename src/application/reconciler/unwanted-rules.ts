// Rules a drift sweep listed that a live exposure no longer wants (an IP family it dropped), by
// exposure id: the exposure's next pass deletes them. Looking up every possible rule name of every
// exposure on each pass instead would double the reads.
import type { ExposureId } from '../../domain/exposure-id.ts';

export class UnwantedRules {
  readonly #byExposure = new Map<string, Set<string>>();

  add(id: string, name: string): void {
    const names = this.#byExposure.get(id) ?? new Set<string>();
    names.add(name);
    this.#byExposure.set(id, names);
  }

  of(id: ExposureId): ReadonlySet<string> {
    return this.#byExposure.get(id) ?? new Set();
  }

  /** Once the exposure's pass has deleted them, or the exposure is being deleted. */
  forget(id: ExposureId): void {
    this.#byExposure.delete(id);
  }
}
