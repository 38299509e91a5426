// `npm run openapi`: writes openapi/openapi.json and openapi/openapi.yaml from the route schemas,
// and the typed client's schema (clients/typescript/src/schema.ts) from the document. The files
// are committed; a test fails when they drift from the code.
import { mkdirSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { stringify } from 'yaml';
import { generateOpenApiDocument } from '../src/openapi-document.ts';

export const CLIENT_SCHEMA_PATH = 'clients/typescript/src/schema.ts';

export function renderJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function renderYaml(document: unknown): string {
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}

export async function renderClientSchema(document: unknown): Promise<string> {
  const ast = await openapiTS(structuredClone(document) as Parameters<typeof openapiTS>[0]);
  return `/**\n * Generated from openapi/openapi.json by \`npm run openapi\` (openapi-typescript). Do not edit.\n */\n\n${astToString(ast)}`;
}

if (import.meta.main) {
  const document = await generateOpenApiDocument();
  mkdirSync('openapi', { recursive: true });
  writeFileSync('openapi/openapi.json', renderJson(document));
  writeFileSync('openapi/openapi.yaml', renderYaml(document));
  writeFileSync(CLIENT_SCHEMA_PATH, await renderClientSchema(document));
  process.stdout.write(`wrote openapi/openapi.json, openapi/openapi.yaml and ${CLIENT_SCHEMA_PATH}\n`);
}
