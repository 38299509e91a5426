// ResourceQuotas on a real control plane, as an administrator sets them: applied as the admin, and
// waited on until the quota controller has computed their usage and the apiserver's quota admission
// enforces them (before that, admission refuses every write with "status unknown for quota").

import { eventually } from '../support/eventually.ts';
import type { ControlPlane } from './fixture/index.ts';

interface QuotaObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export function quotaAdmin(controlPlane: ControlPlane) {
  const read = async (namespace: string, name: string): Promise<QuotaObject | undefined> => {
    const response = await controlPlane.request(
      'GET',
      `/api/v1/namespaces/${namespace}/resourcequotas/${name}`,
    );
    return response.status === 200 ? (response.body as QuotaObject) : undefined;
  };
  return {
    async setResourceQuota(namespace: string, name: string, hard: Record<string, number>): Promise<void> {
      const wanted = Object.fromEntries(Object.entries(hard).map(([key, value]) => [key, String(value)]));
      const response = await controlPlane.request(
        'PATCH',
        `/api/v1/namespaces/${namespace}/resourcequotas/${name}?fieldManager=exposure-api-tests&force=true`,
        {
          body: {
            apiVersion: 'v1',
            kind: 'ResourceQuota',
            metadata: { name, namespace },
            spec: { hard: wanted },
          },
          headers: { 'content-type': 'application/apply-patch+yaml' },
        },
      );
      if (response.status !== 200 && response.status !== 201) {
        throw new Error(
          `ResourceQuota ${namespace}/${name}: ${response.status} ${JSON.stringify(response.body)}`,
        );
      }
      await eventually(
        () => read(namespace, name),
        (quota) => sameList(quota?.status?.hard, wanted),
        { what: `the quota controller to compute ${namespace}/${name}`, timeoutMs: 30_000 },
      );
      // Quota admission reads quotas from its own informer: a dry run shows when it sees the status.
      await eventually(
        async () => {
          const probe = await controlPlane.request(
            'POST',
            `/api/v1/namespaces/${namespace}/services?dryRun=All`,
            {
              body: {
                apiVersion: 'v1',
                kind: 'Service',
                metadata: { name: 'quota-probe', namespace },
                spec: { type: 'ClusterIP', ports: [{ port: 80 }] },
              },
            },
          );
          return JSON.stringify(probe.body);
        },
        (answer) => !answer.includes('status unknown for quota'),
        { what: `quota admission to enforce ${namespace}/${name}`, timeoutMs: 30_000 },
      );
    },
    async quotaUsage(namespace: string, name: string, resource: string, used: number): Promise<void> {
      await eventually(
        () => read(namespace, name),
        (quota) => quota?.status?.used?.[resource] === String(used),
        { what: `${namespace}/${name} to count ${used} ${resource}`, timeoutMs: 30_000 },
      );
    },
  };
}

function sameList(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const sorted = (list: Record<string, string>) => JSON.stringify(Object.entries(list).sort());
  return a !== undefined && sorted(a) === sorted(b);
}
