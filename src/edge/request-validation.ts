// Request validation with Ajv, configured per part of the request: bodies are checked exactly as
// sent (no coercion, unknown fields refused rather than stripped), while path, query and headers —
// which are always strings on the wire — are coerced to the declared types.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyServerOptions } from 'fastify';
import { pointerToken } from '../domain/violation.ts';
import type { FieldError } from '../schemas/problem.ts';

type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

function ajvFor(part: 'body' | 'other', externalSchemas: Record<string, unknown>): Ajv {
  const options: Options = {
    allErrors: true,
    coerceTypes: part === 'other',
    removeAdditional: false,
    useDefaults: part === 'other',
    strictSchema: false,
  };
  const ajv = new Ajv(options);
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as object);
  return ajv;
}

/** The `schemaController` option of the Fastify instance. */
export const schemaController: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator(externalSchemas: Record<string, unknown>) {
      const body = ajvFor('body', externalSchemas);
      const other = ajvFor('other', externalSchemas);
      const compiled = new WeakMap<object, ValidateFunction>();
      return ({ schema, httpPart }) => {
        const ajv = httpPart === 'body' ? body : other;
        if (typeof schema !== 'object') return ajv.compile(schema);
        let validate = compiled.get(schema);
        if (!validate) {
          validate = ajv.compile(schema);
          compiled.set(schema, validate);
        }
        return validate;
      };
    },
  },
};

const locations: Record<HttpPart, FieldError['location']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

/**
 * Turns Ajv's errors into one message per field. A union (`anyOf`) fails once per branch; those
 * are folded into a single "must be one of" instead of a list of contradicting complaints.
 */
export function fieldErrorsFromAjv(
  errors: readonly ErrorObject[],
  context: string | undefined,
): FieldError[] {
  const location = locations[(context ?? 'body') as HttpPart] ?? 'body';
  const byPointer = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const pointer = pointerOf(error);
    const list = byPointer.get(pointer) ?? [];
    list.push(error);
    byPointer.set(pointer, list);
  }
  const result: FieldError[] = [];
  for (const [pointer, list] of byPointer) {
    const union = list.find((error) => error.keyword === 'anyOf');
    if (union) {
      const allowed = list.flatMap((error) =>
        error.keyword === 'const'
          ? [JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)]
          : [],
      );
      const types = list.flatMap((error) =>
        error.keyword === 'type' ? [(error.params as { type: string }).type] : [],
      );
      const detail =
        allowed.length > 0
          ? `must be one of ${allowed.join(', ')}`
          : types.length > 0
            ? `must be ${[...new Set(types)].join(' or ')}`
            : (list.find((error) => error.keyword !== 'anyOf')?.message ?? 'is not valid');
      result.push({ pointer, location, detail });
      continue;
    }
    for (const error of list) result.push({ pointer, location, detail: describe(error) });
  }
  return result;
}

function pointerOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required')
    return `${error.instancePath}/${pointerToken(String(params.missingProperty))}`;
  if (error.keyword === 'additionalProperties')
    return `${error.instancePath}/${pointerToken(String(params.additionalProperty))}`;
  return error.instancePath;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'pattern':
      return `does not have the expected form (${String(params.pattern)})`;
    default:
      return error.message ?? 'is not valid';
  }
}
