// The exposureApi section of app-config.
import '../../../test-support/jest-shim.ts';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import { readExposureApiSettings } from '../src/settings.ts';

const settingsOf = (exposureApi: JsonObject) =>
  readExposureApiSettings(mockServices.rootConfig({ data: { exposureApi } }));

test('defaults: links to baseUrl, no impersonation, no namespace given to anyone', () => {
  const settings = settingsOf({ baseUrl: 'http://exposure-api.exposure-api.svc:8080/', token: 'secret' });
  assert.equal(settings.baseUrl, 'http://exposure-api.exposure-api.svc:8080');
  assert.equal(settings.externalUrl, settings.baseUrl);
  assert.equal(settings.token, 'secret');
  assert.equal(settings.impersonate, false);
  assert.equal(settings.namespaceOwners.size, 0);
});

test('namespaces and their owners, impersonation, an external URL', () => {
  const settings = settingsOf({
    baseUrl: 'http://exposure-api:8080',
    externalUrl: 'https://exposure-api.example.com/',
    token: 'secret',
    impersonate: true,
    namespaces: [
      { name: 'search', owners: ['group:default/search'] },
      { name: 'team-2', owners: ['group:default/team-2', 'user:default/jane'] },
    ],
  });
  assert.equal(settings.externalUrl, 'https://exposure-api.example.com');
  assert.equal(settings.impersonate, true);
  assert.deepEqual(Object.fromEntries(settings.namespaceOwners), {
    search: ['group:default/search'],
    'team-2': ['group:default/team-2', 'user:default/jane'],
  });
});

test('a token file is read for every request, so that a rotated token is used at once', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'exposure-api-token-'));
  try {
    const tokenFile = join(folder, 'token');
    await writeFile(tokenFile, 'first\n');
    const { token } = settingsOf({ baseUrl: 'http://exposure-api:8080', tokenFile });
    assert.equal(typeof token, 'function');
    const provider = token as () => Promise<string>;
    assert.equal(await provider(), 'first\n');
    await writeFile(tokenFile, 'rotated\n');
    assert.equal(await provider(), 'rotated\n');
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('exactly one of token and tokenFile; baseUrl is required', () => {
  assert.throws(() => settingsOf({ baseUrl: 'http://exposure-api:8080' }), /set exactly one of token/);
  assert.throws(
    () => settingsOf({ baseUrl: 'http://exposure-api:8080', token: 'a', tokenFile: '/b' }),
    /set exactly one of token/,
  );
  assert.throws(() => settingsOf({ token: 'a' }), /baseUrl/);
});
