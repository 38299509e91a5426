// exposure-api's problems as Backstage errors: the class Backstage's HTTP stack maps to the status
// callers expect, and a message holding the problem's title, detail and fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { ExposureApiError, type Problem } from '@exposure-api/client';
import { toBackstageError } from '../src/errors.ts';

function problem(status: number, extra: Partial<Problem> = {}): ExposureApiError {
  return new ExposureApiError(status, {
    type: `/problems/p${status}`,
    title: `Title ${status}`,
    status,
    ...extra,
  });
}

test('each status of exposure-api becomes the Backstage error of that meaning', () => {
  const expected: [number, new (...args: never[]) => Error][] = [
    [400, InputError],
    [422, InputError],
    [413, InputError],
    [403, NotAllowedError],
    [404, NotFoundError],
    [409, ConflictError],
    [412, ConflictError],
    [401, ServiceUnavailableError],
    [429, ServiceUnavailableError],
    [503, ServiceUnavailableError],
    [500, ServiceUnavailableError],
  ];
  for (const [status, ErrorClass] of expected) {
    const error = toBackstageError(problem(status));
    assert.ok(error instanceof ErrorClass, `${status} → ${(error as Error).name}`);
  }
});

test('the message carries the title, the detail and every field at fault; the problem stays as the cause', () => {
  const refused = problem(400, {
    title: 'The request is not valid',
    detail: 'two fields are wrong',
    errors: [
      { pointer: '/sourceRanges/0', location: 'body', detail: 'has host bits set' },
      { pointer: '/ports/0/nodePort', location: 'body', detail: 'outside the node port range' },
    ],
  });
  const error = toBackstageError(refused) as InputError;
  assert.match(
    error.message,
    /^The request is not valid: two fields are wrong \(\/sourceRanges\/0: has host bits set; \/ports\/0\/nodePort: outside the node port range\)/,
  );
  assert.equal(error.cause, refused);
  const sameDetail = toBackstageError(problem(404, { title: 'Not found', detail: 'not found' })) as Error;
  assert.match(sameDetail.message, /^Not found(;|$)/);
});

test('an answer without a problem body, and errors that are not from exposure-api', () => {
  assert.match(
    (toBackstageError(new ExposureApiError(502, undefined)) as Error).message,
    /exposure-api answered 502/,
  );
  const other = new TypeError('fetch failed');
  assert.equal(toBackstageError(other), other);
});
