// Sharing equal strings changes no value: only which copy of an equal string is held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shareStrings } from '../../src/domain/shared-strings.ts';

test('values equal to the name or to the same key of `from` stay equal; the others stay as they were', () => {
  const values = { app: 'elasticsearch', team: 'search', tier: 'data', extra: 'x' };
  const result = shareStrings(values, { team: 'search', tier: 'other' }, 'elasticsearch');
  assert.equal(result, values, 'changed in place');
  assert.deepEqual(result, { app: 'elasticsearch', team: 'search', tier: 'data', extra: 'x' });
  assert.deepEqual(shareStrings({}, { a: 'b' }, 'n'), {});
});
