// openapi/ is generated from the route schemas and committed: this fails when the committed files
// drift from the code (run `npm run openapi`), and checks the document with an OpenAPI validator.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { CLIENT_SCHEMA_PATH, renderClientSchema, renderJson, renderYaml } from '../../scripts/openapi.ts';
import { generateOpenApiDocument } from '../../src/openapi-document.ts';

test('the committed OpenAPI files match the code (run `npm run openapi` after changing a schema)', async () => {
  const document = await generateOpenApiDocument();
  assert.equal(
    readFileSync('openapi/openapi.json', 'utf8'),
    renderJson(document),
    'openapi/openapi.json has drifted',
  );
  assert.equal(
    readFileSync('openapi/openapi.yaml', 'utf8'),
    renderYaml(document),
    'openapi/openapi.yaml has drifted',
  );
  assert.equal(
    readFileSync(CLIENT_SCHEMA_PATH, 'utf8'),
    await renderClientSchema(document),
    `${CLIENT_SCHEMA_PATH} has drifted`,
  );
});

test('the document is valid OpenAPI 3.1, with every error response documented as a problem', async () => {
  const document = JSON.parse(readFileSync('openapi/openapi.json', 'utf8'));
  const result = await validate(structuredClone(document));
  assert.equal(result.valid, true, JSON.stringify(result, null, 2));
  assert.equal(document.openapi, '3.1.0');
  for (const [path, operations] of Object.entries<
    Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
  >(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && path.startsWith('/exposures')) {
          assert.ok(
            response.content?.['application/problem+json'],
            `${method.toUpperCase()} ${path} ${status} is not a problem`,
          );
        }
      }
    }
  }
  for (const name of ['Exposure', 'CreateExposureRequest', 'Problem', 'Endpoint', 'Condition']) {
    assert.ok(document.components.schemas[name], `component ${name} is named by its $id`);
  }
  assert.ok(document.components.schemas.CreateExposureRequest.examples, 'the request has an example');
});

test('every operation that needs a token documents what authentication answers: 400, 401, 403, 429 and 503', () => {
  // An impersonation without a user is a 400 and one not allowed a 403, on any route; a locked-out
  // address or a full review queue a 429; a review that cannot be made now a 503.
  const document = JSON.parse(readFileSync('openapi/openapi.json', 'utf8'));
  let guarded = 0;
  for (const [path, operations] of Object.entries<
    Record<string, { security?: unknown[]; responses: Record<string, unknown> }>
  >(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!operation.security?.length) continue;
      guarded++;
      for (const status of ['400', '401', '403', '429', '503']) {
        assert.ok(operation.responses[status], `${method.toUpperCase()} ${path} does not document ${status}`);
      }
    }
  }
  assert.ok(guarded >= 7, `${guarded} operations need a token`);
});
