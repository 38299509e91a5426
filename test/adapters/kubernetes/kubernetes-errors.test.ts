// How the adapter classifies what client-node reports. The bodies are the apiserver's real answers
// (recorded from the test control plane), wrapped as client-node 2.x wraps them: an ApiException
// whose body is the response text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { toClusterError } from '../../../src/adapters/kubernetes/kubernetes-errors.ts';
import { ClusterError, type ClusterErrorKind } from '../../../src/application/ports/cluster.ts';

function status(code: number, reason: string, message: string, details: object = {}): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details,
    code,
  });
}

function apiException(code: number, body: string | undefined, headers: Record<string, string> = {}) {
  return new ApiException(code, 'Unknown API Status Code!', body, headers);
}

interface Case {
  name: string;
  error: unknown;
  kind: ClusterErrorKind;
  nodePort?: number;
  fields?: string[];
  retryAfterSeconds?: number;
}

const allocated = 'Invalid value: 30080: provided port is already allocated';
const cases: Case[] = [
  {
    name: '409 AlreadyExists',
    error: apiException(
      409,
      status(409, 'AlreadyExists', 'services "a" already exists', { name: 'a', kind: 'services' }),
    ),
    kind: 'AlreadyExists',
  },
  {
    name: '422 with a node port already allocated',
    error: apiException(
      422,
      status(422, 'Invalid', `Service "b" is invalid: spec.ports[0].nodePort: ${allocated}`, {
        name: 'b',
        kind: 'Service',
        causes: [{ reason: 'FieldValueInvalid', message: allocated, field: 'spec.ports[0].nodePort' }],
      }),
    ),
    kind: 'NodePortTaken',
    nodePort: 30080,
    fields: ['spec.ports[0].nodePort'],
  },
  {
    name: '422 with a node port out of range',
    error: apiException(
      422,
      status(422, 'Invalid', 'Service "d" is invalid: ...', {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message:
              'Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
            field: 'spec.ports[0].nodePort',
          },
        ],
      }),
    ),
    kind: 'Invalid',
    fields: ['spec.ports[0].nodePort'],
  },
  {
    name: '422 on metadata.uid (an apply whose uid precondition failed)',
    error: apiException(
      422,
      status(422, 'Invalid', 'Service "a" is invalid: metadata.uid: ... field is immutable', {
        causes: [
          { reason: 'FieldValueInvalid', message: 'field is immutable', field: 'metadata.uid' },
          { reason: 'FieldValueInvalid', message: 'field is immutable', field: 'metadata.uid' },
        ],
      }),
    ),
    kind: 'Conflict',
  },
  {
    name: '422 without causes (a JSON patch test that failed)',
    error: apiException(
      422,
      status(422, 'Invalid', 'the server rejected our request due to an error in our request'),
    ),
    kind: 'Invalid',
  },
  {
    name: '404 for the namespace',
    error: apiException(
      404,
      status(404, 'NotFound', 'namespaces "nope" not found', { name: 'nope', kind: 'namespaces' }),
    ),
    kind: 'NamespaceNotFound',
  },
  {
    name: '404 for the object',
    error: apiException(
      404,
      status(404, 'NotFound', 'services "zz" not found', { name: 'zz', kind: 'services' }),
    ),
    kind: 'NotFound',
  },
  {
    name: '403 from RBAC',
    error: apiException(
      403,
      status(
        403,
        'Forbidden',
        'services is forbidden: User "exposure-api" cannot create resource "services" in API group "" in the namespace "default"',
        { kind: 'services' },
      ),
    ),
    kind: 'Forbidden',
  },
  {
    name: '403 for a namespace being deleted',
    error: apiException(
      403,
      status(
        403,
        'Forbidden',
        'services "a" is forbidden: unable to create new content in namespace x because it is being terminated',
        {
          kind: 'services',
          causes: [{ reason: 'NamespaceTerminating', message: '...', field: 'metadata.namespace' }],
        },
      ),
    ),
    kind: 'NamespaceNotFound',
  },
  {
    name: '403 from an admission webhook',
    error: apiException(
      403,
      status(
        403,
        'Forbidden',
        'admission webhook "policy.example.com" denied the request: no NodePorts here',
      ),
    ),
    kind: 'Invalid',
  },
  { name: '401 (no body)', error: apiException(401, undefined), kind: 'Forbidden' },
  {
    name: '409 Conflict of a uid precondition on delete',
    error: apiException(
      409,
      status(
        409,
        'Conflict',
        'Operation cannot be fulfilled on Service "a": the UID in the precondition ...',
      ),
    ),
    kind: 'Conflict',
  },
  {
    name: '409 Conflict of an apply with a uid when nothing exists',
    error: apiException(
      409,
      status(
        409,
        'Conflict',
        'Operation cannot be fulfilled on services "zz": uid mismatch: the provided object specified uid 0, and no existing object was found',
      ),
    ),
    kind: 'NotFound',
  },
  {
    name: '429 with Retry-After',
    error: apiException(429, status(429, 'TooManyRequests', 'too many requests'), { 'retry-after': '3' }),
    kind: 'Unavailable',
    retryAfterSeconds: 3,
  },
  {
    name: '503 with retryAfterSeconds in the Status only',
    error: apiException(
      503,
      status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', {
        retryAfterSeconds: 7,
      }),
    ),
    kind: 'Unavailable',
    retryAfterSeconds: 7,
  },
  {
    name: '500',
    error: apiException(500, status(500, 'InternalError', 'etcdserver: request timed out')),
    kind: 'Unavailable',
  },
  {
    name: '504 with a body that is not JSON',
    error: apiException(504, 'gateway timeout'),
    kind: 'Unavailable',
  },
  { name: '400', error: apiException(400, status(400, 'BadRequest', 'bad')), kind: 'Unknown' },
  {
    name: 'connection refused (undici)',
    error: new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
    }),
    kind: 'Unavailable',
  },
  {
    name: 'connection cut mid-response (undici)',
    error: new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    }),
    kind: 'Unavailable',
  },
  {
    name: 'the request timeout',
    error: new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    kind: 'Unavailable',
  },
  {
    name: 'a watch refused before streaming',
    error: Object.assign(new Error('Forbidden'), { statusCode: 403 }),
    kind: 'Forbidden',
  },
  { name: 'anything else', error: new RangeError('surprise'), kind: 'Unknown' },
];

for (const c of cases) {
  test(`toClusterError: ${c.name} → ${c.kind}`, () => {
    const error = toClusterError(c.error);
    assert.ok(error instanceof ClusterError);
    assert.equal(error.kind, c.kind);
    assert.equal(error.nodePort, c.nodePort);
    assert.equal(error.retryAfterSeconds, c.retryAfterSeconds);
    if (c.fields)
      assert.deepEqual(
        error.causes.map((cause) => cause.field),
        c.fields,
      );
    assert.equal(error.cause, c.error);
    assert.ok(error.message.length > 0);
  });
}

test('toClusterError keeps the apiserver message and passes ClusterErrors through', () => {
  const error = toClusterError(
    apiException(409, status(409, 'AlreadyExists', 'services "a" already exists', { kind: 'services' })),
  );
  assert.equal(error.message, 'services "a" already exists');
  assert.equal(toClusterError(error), error);
});

test('a Retry-After given as an HTTP date is turned into seconds', () => {
  const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
  const error = toClusterError(apiException(503, undefined, { 'retry-after': inTenSeconds }));
  assert.ok(
    error.retryAfterSeconds !== undefined && error.retryAfterSeconds >= 8 && error.retryAfterSeconds <= 11,
  );
});
