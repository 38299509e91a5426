// One audit log line per change, naming who made it: the trail an operator needs when asking
// "who opened this port?". Lines carry `audit: true` so log pipelines can route them apart. The
// line names the subject (the person, when a caller impersonates one), its groups, how the
// caller authenticated, and the caller that impersonated; never a token.
import type { FastifyRequest } from 'fastify';

export type AuditAction = 'exposure.create' | 'exposure.patch' | 'exposure.delete';

export function audit(
  request: FastifyRequest,
  action: AuditAction,
  exposure: { id: string; namespace: string; name: string },
  details: Record<string, unknown> = {},
): void {
  const principal = request.principal;
  const caller = principal?.impersonatedBy;
  request.log.info(
    {
      audit: true,
      action,
      subject: principal?.subject,
      groups: principal?.groups ?? [],
      authenticatedBy: principal?.authenticatedBy,
      ...(caller && { impersonatedBy: { subject: caller.subject, groups: caller.groups ?? [] } }),
      exposure: exposure.id,
      namespace: exposure.namespace,
      name: exposure.name,
      ...details,
    },
    `${action} by ${principal?.subject ?? 'unknown'}${caller ? ` (impersonated by ${caller.subject})` : ''}: ${exposure.namespace}/${exposure.name} (${exposure.id})`,
  );
}
