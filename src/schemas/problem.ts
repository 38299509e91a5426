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
  },
  {
    $id: 'Problem',
    additionalProperties: false,
    description: 'An RFC 9457 problem detail; `type` is stable per kind of problem.',
  },
);
export type Problem = Static<typeof Problem>;

export const problemSchemas = [FieldError, Problem];
