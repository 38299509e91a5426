// HTTPS from a certificate and key file pair, reloaded when the files change (as cert-manager
// rotates them): a new connection after the rewrite gets the new certificate, without a restart.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from 'node:tls';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { eventually } from '../support/eventually.ts';
import { SEARCH_TEAM, startTestSandbox } from '../support/test-sandbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'exposure-api-tls-'));
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');

/** A self-signed certificate for 127.0.0.1 with this common name, written where the service reads it. */
function issue(commonName: string): void {
  const [cert, key] = [join(dir, 'next.crt'), join(dir, 'next.key')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  // Key first, then the certificate, each replaced at once (as the kubelet swaps a Secret volume).
  renameSync(key, keyFile);
  renameSync(cert, certFile);
}

function servedCommonName(url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      const name = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(String(name));
    });
    socket.on('error', reject);
  });
}

let sandbox: Sandbox;
before(async () => {
  issue('first');
  sandbox = await startTestSandbox({ config: { server: { tls: { certFile, keyFile } } } });
});
after(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the API is served over HTTPS with the configured certificate, and a bearer token works there', async () => {
  const url = new URL(sandbox.apiUrl);
  assert.equal(url.protocol, 'https:');
  assert.equal(await servedCommonName(url), 'first');
  const status = await new Promise<number>((resolve, reject) => {
    request(
      new URL('/exposures', url),
      { headers: { authorization: SEARCH_TEAM }, ca: readFileSync(certFile) },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    )
      .on('error', reject)
      .end();
  });
  assert.equal(status, 200);
});

test('a rotated certificate is served to new connections without a restart', async () => {
  const url = new URL(sandbox.apiUrl);
  issue('second');
  await eventually(
    () => servedCommonName(url),
    (name) => name === 'second',
    {
      timeoutMs: 20_000,
      intervalMs: 250,
      what: 'the rotated certificate',
    },
  );
});
