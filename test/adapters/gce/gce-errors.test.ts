// Classification of what the Compute client reports, table by table: call errors as google-gax
// shapes them (HTTP status kept in `httpStatusCode`, a lossy gRPC `code`, the envelope's
// message, the raw body under a symbol), and operations that ended DONE with an error.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyCallError, operationFailure } from '../../../src/adapters/gce/gce-errors.ts';
import { FirewallError } from '../../../src/application/ports/firewalls.ts';

const rawPayloadKey = Symbol.for('google-gax.rawHttpResponsePayload');

/** An error shaped like google-gax's GoogleError from the REST transport. */
function gaxError(
  httpStatusCode: number | undefined,
  message: string,
  options: { code?: number; reason?: string } = {},
) {
  const error = Object.assign(new Error(message), {
    ...(httpStatusCode === undefined ? {} : { httpStatusCode }),
    ...(options.code === undefined ? {} : { code: options.code }),
  });
  if (options.reason) {
    const body = {
      error: {
        code: httpStatusCode,
        message,
        errors: [{ domain: 'global', reason: options.reason, message }],
      },
    };
    Object.defineProperty(error, rawPayloadKey, { value: JSON.stringify(body), enumerable: false });
  }
  return error;
}

describe('classifyCallError', () => {
  const cases: [string, Error, string][] = [
    ['404', gaxError(404, "The resource 'projects/p/global/firewalls/x' was not found"), 'NotFound'],
    [
      '409 already exists (gax says ABORTED)',
      gaxError(409, "The resource 'x' already exists", { code: 10 }),
      'AlreadyExists',
    ],
    ['409 of another kind', gaxError(409, 'The resource is not ready', { code: 10 }), 'Unavailable'],
    [
      '403 permission',
      gaxError(403, "Required 'compute.firewalls.create' permission for 'projects/h'"),
      'PermissionDenied',
    ],
    [
      '403 synchronous quota',
      gaxError(403, "Quota 'FIREWALLS' exceeded. Limit: 100.0 globally."),
      'QuotaExceeded',
    ],
    ['403 old-style rate limit', gaxError(403, 'Rate Limit Exceeded'), 'RateLimited'],
    ['429', gaxError(429, "Quota exceeded for quota metric 'Queries'"), 'RateLimited'],
    ['401', gaxError(401, 'Request had invalid authentication credentials.'), 'PermissionDenied'],
    ['400', gaxError(400, "Invalid value for field 'resource.name'"), 'Invalid'],
    ['500 (gax folds into INTERNAL)', gaxError(500, 'Internal error', { code: 13 }), 'Unavailable'],
    [
      '502 undecodable HTML',
      gaxError(502, 'Error response from RPC Get with status 502 could not be decoded'),
      'Unavailable',
    ],
    ['503', gaxError(503, 'Backend Error', { code: 14 }), 'Unavailable'],
    ['504', gaxError(504, 'Deadline exceeded', { code: 4 }), 'Unavailable'],
    [
      'connection refused (no response)',
      gaxError(undefined, 'connect ECONNREFUSED', { code: 14 }),
      'Unavailable',
    ],
    ['client deadline (no response)', gaxError(undefined, 'Deadline exceeded', { code: 4 }), 'Unavailable'],
    ['anything else', new Error('something odd'), 'Unknown'],
    [
      'reason wins over status',
      gaxError(403, 'Rate Limit Exceeded', { reason: 'userRateLimitExceeded' }),
      'RateLimited',
    ],
    ['reason quotaExceeded', gaxError(403, 'Quota exceeded', { reason: 'quotaExceeded' }), 'QuotaExceeded'],
  ];
  for (const [name, error, kind] of cases) {
    test(`${name} → ${kind}`, () => {
      const classified = classifyCallError(error);
      assert.equal(classified.kind, kind);
      assert.equal(classified.message, error.message);
      assert.equal(classified.cause, error);
    });
  }

  test('keeps the HTTP status and the reason from the raw body', () => {
    const classified = classifyCallError(gaxError(404, 'not found', { reason: 'notFound' }));
    assert.equal(classified.httpStatus, 404);
    assert.equal(classified.code, 'notFound');
  });

  test('a FirewallError passes through unchanged', () => {
    const error = new FirewallError('Invalid', 'x');
    assert.equal(classifyCallError(error), error);
  });
});

describe('operationFailure', () => {
  test('an operation without error is no failure', () => {
    assert.equal(operationFailure({ status: 'DONE' }), undefined);
    assert.equal(operationFailure({ status: 'DONE', error: { errors: [] } }), undefined);
  });

  const cases: [string, string, number | undefined, string][] = [
    ['QUOTA_EXCEEDED', "Quota 'FIREWALLS' exceeded. Limit: 500.0 globally.", 403, 'QuotaExceeded'],
    ['RESOURCE_ALREADY_EXISTS', "The resource 'x' already exists", 409, 'AlreadyExists'],
    ['RESOURCE_NOT_FOUND', "The resource 'projects/p/global/networks/n' was not found", 404, 'NotFound'],
    ['RATE_LIMIT_EXCEEDED', 'Rate limit exceeded', 429, 'RateLimited'],
    ['PERMISSIONS_ERROR', "Required 'compute.networks.updatePolicy' permission", 403, 'PermissionDenied'],
    ['INVALID_USAGE', 'Invalid usage', 400, 'Invalid'],
    ['INTERNAL_ERROR', 'Internal error', 500, 'Unavailable'],
    ['SOMETHING_NEW', 'a code nobody knows, from a 403', 403, 'PermissionDenied'],
    ['SOMETHING_NEW', 'a code nobody knows, no status', undefined, 'Unknown'],
  ];
  for (const [code, message, status, kind] of cases) {
    test(`${code} (${status ?? 'no status'}) → ${kind}`, () => {
      const failure = operationFailure({
        status: 'DONE',
        error: { errors: [{ code, message }] },
        ...(status === undefined ? {} : { httpErrorStatusCode: status }),
      });
      assert.ok(failure);
      assert.equal(failure.kind, kind);
      assert.equal(failure.code, code);
      assert.equal(failure.httpStatus, status);
      assert.equal(failure.message, message);
    });
  }
});
