// Holds the domain's refusals to what a table of cases expects: the same kinds at the same JSON
// pointers, in order, each detail matching its pattern.
import assert from 'node:assert/strict';
import type { Violation, ViolationKind } from '../../src/domain/violation.ts';

export interface ExpectedViolation {
  kind: ViolationKind;
  pointer: string;
  detail: RegExp;
}

export function assertViolations(actual: readonly Violation[], expected: readonly ExpectedViolation[]): void {
  assert.deepEqual(
    actual.map((v) => ({ kind: v.kind, pointer: v.pointer })),
    expected.map((v) => ({ kind: v.kind, pointer: v.pointer })),
  );
  expected.forEach((violation, index) => {
    assert.match(actual[index]?.detail ?? '', violation.detail);
  });
}
