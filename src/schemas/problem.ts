// RFC 9457 problem details: every error the API answers has this shape and a stable `type`.
import { type Static, Type } from 'typebox';
import { ref } from './reference.ts';

export const FieldError = Type.Object(
  {
    pointer: Type.String({
      description: 'JSON Pointer (RFC 6901) to the offending field within `location`.',
      examples: ['/ports/0/nodePort'],
    }),
    location: Type.Union([
      Type.Literal('body'),
      Type.Literal('query'),
      Type.Literal('path'),
      Type.Literal('header'),
    ]),
    detail: Type.String(),
  },
  { $id: 'FieldError', additionalProperties: false },
);
export type FieldError = Static<typeof FieldError>;

export const QuotaExceeded = Type.Object(
  {
    source: Type.Union([Type.Literal('ResourceQuota'), Type.Literal('InstallationLimit')], {
      description: "A Kubernetes ResourceQuota of the namespace, or one of the installation's own limits.",
    }),
    name: Type.String({
      description: "The ResourceQuota's name, or the limit's setting (e.g. `limits.perNamespace.nodePorts`).",
      examples: ['tenant-quota', 'limits.perNamespace.nodePorts'],
    }),
    scope: Type.Union([Type.Literal('namespace'), Type.Literal('subject'), Type.Literal('installation')], {
      description: 'Whose usage the quota counts.',
    }),
    namespace: Type.Optional(Type.String()),
    subject: Type.Optional(Type.String()),
    exceeded: Type.Array(
      Type.Object(
        {
          resource: Type.String({
            description:
              'What is counted: `services.nodeports`, `count/services`, `services` (ResourceQuota), `exposures`, `nodePorts`, `firewallRules` (installation).',
          }),
          requested: Type.Integer({ description: 'What the change asked for.' }),
          used: Type.Integer({ description: 'What was already used.' }),
          limit: Type.Integer({ description: "The quota's hard figure, or the limit." }),
        },
        { additionalProperties: false },
      ),
      {
        description:
          'The resources the change would take past the quota (empty when the cluster did not say).',
      },
    ),
  },
  {
    $id: 'QuotaExceeded',
    additionalProperties: false,
    description: 'For `/problems/quota-exceeded`: which quota refused the change, and its figures.',
  },
);
export type QuotaExceeded = Static<typeof QuotaExceeded>;

export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri-reference', examples: ['/problems/validation-failed'] }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ref(FieldError))),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
    requestId: Type.Optional(Type.String()),
    quota: Type.Optional(ref(QuotaExceeded)),
  },
  {
    $id: 'Problem',
    additionalProperties: false,
    description: 'An RFC 9457 problem detail; `type` is stable per kind of problem.',
  },
);
export type Problem = Static<typeof Problem>;

export const problemSchemas = [FieldError, QuotaExceeded, Problem];
