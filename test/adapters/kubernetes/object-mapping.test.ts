// The translation between client-node's objects and the port's, for both shapes objects arrive in
// (deserialized models with Dates from API responses, plain JSON from watches).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ManagedFieldsEntry, V1Service } from '@kubernetes/client-node';
import {
  mergeSliceEndpoints,
  serviceForApply,
  toClusterNode,
  toObservedService,
  toSliceEndpoints,
  upgradeManagedFields,
  type Wire,
} from '../../../src/adapters/kubernetes/object-mapping.ts';
import { managedServiceManifest } from '../../builders/service.ts';

const watched: Wire<V1Service> = {
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'u-1',
    resourceVersion: '42',
    creationTimestamp: '2026-11-27T10:00:00Z',
    deletionTimestamp: '2026-11-27T11:00:00Z',
    labels: { app: 'web' },
    finalizers: ['exposure-api.io/firewall-cleanup'],
  },
  spec: {
    type: 'NodePort',
    clusterIP: '10.96.0.10',
    selector: { app: 'web' },
    externalTrafficPolicy: 'Local',
    ports: [
      { name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' },
      { port: 53, nodePort: 30053, protocol: 'UDP' },
      { port: 9, nodePort: 30009, protocol: 'SCTP' },
    ],
  },
};

test('a watched Service (string timestamps) maps to an ObservedService', () => {
  assert.deepEqual(toObservedService(watched), {
    namespace: 'shop',
    name: 'web',
    labels: { app: 'web' },
    annotations: {},
    finalizers: ['exposure-api.io/firewall-cleanup'],
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' },
      { port: 53, targetPort: 53, nodePort: 30053, protocol: 'UDP' },
    ],
    externalTrafficPolicy: 'Local',
    uid: 'u-1',
    resourceVersion: '42',
    creationTimestamp: '2026-11-27T10:00:00Z',
    deletionTimestamp: '2026-11-27T11:00:00Z',
    clusterIP: '10.96.0.10',
  });
});

test('a listed Service (Date timestamps) maps to the same timestamps', () => {
  const listed: V1Service = {
    ...watched,
    metadata: {
      ...watched.metadata,
      creationTimestamp: new Date('2026-11-27T10:00:00Z'),
      deletionTimestamp: new Date('2026-11-27T11:00:00Z'),
    },
  } as V1Service;
  const observed = toObservedService(listed);
  assert.equal(observed.creationTimestamp, '2026-11-27T10:00:00Z');
  assert.equal(observed.deletionTimestamp, '2026-11-27T11:00:00Z');
});

test('the apply body carries everything exposure-api owns, the finalizer and the uid precondition', () => {
  const manifest = managedServiceManifest('shop', 'web', {
    ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }],
  });
  const body = serviceForApply(manifest, 'u-1');
  assert.equal(body.metadata?.uid, 'u-1');
  assert.deepEqual(body.metadata?.finalizers, manifest.finalizers);
  assert.deepEqual(body.metadata?.labels, manifest.labels);
  assert.deepEqual(body.metadata?.annotations, manifest.annotations);
  assert.deepEqual(body.spec, {
    type: 'NodePort',
    selector: { app: 'web' },
    externalTrafficPolicy: 'Cluster',
    ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }],
  });
});

test('nodes keep their Ready condition and known address types', () => {
  assert.deepEqual(
    toClusterNode({
      metadata: { name: 'n1' },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'Unknown' },
        ],
        addresses: [
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'Hostname', address: 'n1' },
        ],
      },
    }),
    {
      name: 'n1',
      ready: false,
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: 'n1' },
      ],
    },
  );
});

test('slices: a nil ready means ready; an endpoint in two slices is listed once', () => {
  const a = toSliceEndpoints({
    addressType: 'IPv4',
    metadata: { namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [
      { addresses: ['10.244.0.1'], nodeName: 'n1' },
      { addresses: ['10.244.0.2'], nodeName: 'n2', conditions: { ready: false } },
    ],
  });
  assert.equal(a.serviceName, 'web');
  const b = toSliceEndpoints({
    addressType: 'IPv4',
    metadata: { namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [{ addresses: ['10.244.0.2'], nodeName: 'n2', conditions: { ready: true } }],
  });
  assert.deepEqual(mergeSliceEndpoints([a, b]), [
    { addresses: ['10.244.0.1'], nodeName: 'n1', ready: true },
    { addresses: ['10.244.0.2'], nodeName: 'n2', ready: true },
  ]);
});

test('managed fields of the create are handed to the apply entry, merged, others untouched', () => {
  const entries: Wire<V1ManagedFieldsEntry>[] = [
    {
      manager: 'exposure-api',
      operation: 'Apply',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {}, 'f:team': {} } } },
    },
    {
      manager: 'exposure-api-reconciler',
      operation: 'Apply',
      fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:s': {} } } },
    },
    {
      manager: 'exposure-api',
      operation: 'Update',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:tier': {} } },
        'f:spec': { 'f:type': {} },
      },
    },
    {
      manager: 'kubectl-label',
      operation: 'Update',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:user': {} } } },
    },
  ];
  assert.deepEqual(upgradeManagedFields(entries, 'exposure-api'), [
    {
      manager: 'exposure-api',
      operation: 'Apply',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {}, 'f:team': {}, '.': {}, 'f:tier': {} } },
        'f:spec': { 'f:type': {} },
      },
    },
    entries[1],
    entries[3],
  ]);
  assert.equal(upgradeManagedFields(entries.slice(0, 2), 'exposure-api'), undefined, 'nothing to hand over');
});
