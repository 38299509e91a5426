// `npm run openapi`: writes openapi/openapi.json and openapi/openapi.yaml from the route schemas.
// The files are committed; a test fails when they drift from the code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { generateOpenApiDocument } from '../src/edge/openapi-document.ts';

export function renderJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function renderYaml(document: unknown): string {
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}

if (import.meta.main) {
  const document = await generateOpenApiDocument();
  mkdirSync('openapi', { recursive: true });
  writeFileSync('openapi/openapi.json', renderJson(document));
  writeFileSync('openapi/openapi.yaml', renderYaml(document));
  process.stdout.write('wrote openapi/openapi.json and openapi/openapi.yaml\n');
}
