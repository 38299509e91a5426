// The apiserver's audit log, which tests read to count the requests each user made.
import { readFile } from 'node:fs/promises';

/** The fields of an `audit.k8s.io/v1` Event that tests look at. */
export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  userAgent?: string;
  objectRef?: {
    resource?: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
    subresource?: string;
  };
  responseStatus?: { code?: number };
}

export const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
# One event per request (at ResponseComplete; watches also log ResponseStarted), without bodies.
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;

/** The events logged so far, one JSON object per line (the log is written asynchronously). */
export async function readAuditEvents(path: string): Promise<AuditEvent[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
}
