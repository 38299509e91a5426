// One audit log line per change, naming who made it: the trail an operator needs when asking
// "who opened this port?". Lines carry `audit: true` so log pipelines can route them apart.
import type { FastifyRequest } from 'fastify';

export type AuditAction = 'exposure.create' | 'exposure.patch' | 'exposure.delete';

export function audit(
  request: FastifyRequest,
  action: AuditAction,
  exposure: { id: string; namespace: string; name: string },
  details: Record<string, unknown> = {},
): void {
  request.log.info(
    {
      audit: true,
      action,
      subject: request.principal?.subject,
      exposure: exposure.id,
      namespace: exposure.namespace,
      name: exposure.name,
      ...details,
    },
    `${action} by ${request.principal?.subject ?? 'unknown'}: ${exposure.namespace}/${exposure.name} (${exposure.id})`,
  );
}
