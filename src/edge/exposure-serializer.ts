// The serializer of the Exposure schema, as the GET /exposures/{id} route's 200 answer is
// serialized: fast-json-stringify over the same shared schemas, with Fastify's default options.
// The views keep a read's answer as this text (see ExposureViews.encoded), so that a cached read
// neither builds a view nor serializes one.
import fastJson, { type Schema } from 'fast-json-stringify';
import { type Exposure, exposureSchemas } from '../schemas/exposure.ts';

export function exposureSerializer(): (view: Exposure) => string {
  const schemas: Record<string, Schema> = {};
  for (const schema of exposureSchemas as unknown as (Schema & { $id: string })[]) {
    schemas[schema.$id] = schema;
  }
  return fastJson({ $ref: 'Exposure' }, { schema: schemas }) as (view: Exposure) => string;
}
