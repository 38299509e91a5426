// The body of a create request (POST /exposures): the example of the API document — Elasticsearch
// in namespace search, its HTTP port on node port 30920, open to 203.0.113.0/24 — so that the
// tests send what the document shows. Overrides may break the schema on purpose (validation tests).
import { CreateExposureRequest } from '../../src/schemas/exposure.ts';

// TypeBox keeps the schema's options (here `examples`) on the schema object without typing them.
const { examples } = CreateExposureRequest as unknown as { examples: CreateExposureRequest[] };
const documentExample = examples[0];
if (!documentExample) throw new Error('CreateExposureRequest has no example');

export function createRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(documentExample), ...overrides };
}
