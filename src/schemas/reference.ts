import type { TSchema } from 'typebox';

/**
 * A `$ref` to a named schema that keeps the referenced schema's static type.
 *
 * Named schemas are registered once (`app.addSchema`) so that validation, serialization and the
 * OpenAPI components all share them by `$id`; embedding them inline twice would make Ajv reject
 * the duplicate `$id`. A plain `Type.Ref('Name')` would lose the TypeScript type, so this returns
 * the reference typed as the schema it points to.
 */
export function ref<T extends TSchema & { $id?: string }>(schema: T): T {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id');
  return { $ref: schema.$id } as unknown as T;
}
