// Resource paths and URLs as Compute Engine writes them.
//
// Links in answers (selfLink, targetLink, network) use the real API's base
// `https://www.googleapis.com/compute/v1/`, not the emulator's own address: clients must treat
// them as identifiers, and gcloud does — it polls operations by project and operation name and
// re-reads a target by the last segment of its targetLink, so it keeps working against a local
// endpoint. Answers then compare byte for byte with recordings of the real API.

export const selfLinkBase = 'https://www.googleapis.com/compute/v1/';

export function firewallPath(project: string, name: string): string {
  return `projects/${project}/global/firewalls/${name}`;
}

export function firewallsPath(project: string): string {
  return `projects/${project}/global/firewalls`;
}

export function operationPath(project: string, name: string): string {
  return `projects/${project}/global/operations/${name}`;
}

export function networkPath(project: string, name: string): string {
  return `projects/${project}/global/networks/${name}`;
}

export function selfLink(path: string): string {
  return `${selfLinkBase}${path}`;
}

const networkReference =
  /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]+\/compute\/(?:v1|beta|alpha)\/)?(?:projects\/([^/]+)\/)?global\/networks\/([^/]+)$/;

/**
 * Reads a network reference in any form the API accepts — a full URL on any host, `projects/P/
 * global/networks/N`, or `global/networks/N` (in the request's project) — or `undefined` when
 * it is malformed.
 */
export function parseNetworkReference(
  value: string,
  requestProject: string,
): { project: string; network: string } | undefined {
  const match = networkReference.exec(value);
  if (!match?.[2]) return undefined;
  return { project: match[1] ?? requestProject, network: match[2] };
}
