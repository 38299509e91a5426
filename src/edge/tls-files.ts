// HTTPS from a certificate and key file pair, reloaded when the files change (cert-manager
// renews a certificate by rewriting its Secret, which the kubelet swaps into the mounted volume):
// new connections get the new certificate through `server.setSecureContext`; established ones
// keep theirs. The files are polled (stat), which sees the kubelet's symlink swap as well as a
// rewrite in place; a pair that cannot be read or does not match keeps the current certificate.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export function readTlsFiles(files: TlsFiles): TlsPair {
  const pair = { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
  createSecureContext(pair); // throws when the key does not belong to the certificate
  return pair;
}

/** Watches the pair and installs it on the server whenever it changes; returns the function that stops watching. */
export function reloadTlsOnChange(
  server: HttpsServer,
  files: TlsFiles,
  log: { info(details: object, message: string): void; warn(details: object, message: string): void },
  options: { intervalMs?: number } = {},
): () => void {
  let current = readTlsFiles(files);
  const reload = () => {
    let next: TlsPair;
    try {
      next = readTlsFiles(files);
    } catch (error) {
      // cert-manager writes the two files one after the other: the next change completes the pair.
      log.warn({ err: error }, 'the TLS certificate and key cannot be loaded; keeping the current ones');
      return;
    }
    if (next.cert.equals(current.cert) && next.key.equals(current.key)) return;
    server.setSecureContext(next);
    current = next;
    log.info({ certFile: files.certFile }, 'TLS certificate reloaded');
  };
  const watchOptions = { interval: options.intervalMs ?? 5_000, persistent: false };
  watchFile(files.certFile, watchOptions, reload);
  watchFile(files.keyFile, watchOptions, reload);
  return () => {
    unwatchFile(files.certFile, reload);
    unwatchFile(files.keyFile, reload);
  };
}
