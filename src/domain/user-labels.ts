// The labels a caller may put on an exposure's Service. They sit beside labels that Kubernetes
// components act on, so some keys are not the caller's to set: kube-proxy ignores a Service that
// carries `service.kubernetes.io/service-proxy-name` or `service.kubernetes.io/headless` — while its
// firewall rule stays open — and other `kubernetes.io` / `k8s.io` keys belong to the cluster's own
// components. exposure-api's own keys identify the exposure. And since every label is stored in
// the Service and returned by every read, their number and size are bounded.
import { labelKeyProblem } from './label-key.ts';
import { EXPOSURE_API_DOMAIN, isManagedLabelKey } from './naming.ts';
import { invalid, pointerToken, type Violation } from './violation.ts';

/** Labels one exposure may carry (after a merge patch is applied). */
export const MAX_USER_LABELS = 32;
/** Bytes (UTF-8) of the keys and values of one exposure's labels, added up. */
export const MAX_USER_LABEL_BYTES = 4096;

/** Key prefixes reserved with all their subdomains: Kubernetes' own, and exposure-api's. */
const RESERVED_DOMAINS = ['kubernetes.io', 'k8s.io', EXPOSURE_API_DOMAIN] as const;
/** The recommended labels (app.kubernetes.io/name, …/instance, …/part-of, …) are meant for users. */
const RECOMMENDED_PREFIX = 'app.kubernetes.io';

const encoder = new TextEncoder();

/** The reserved domain a key's prefix falls under, or undefined when the key is the caller's to set. */
export function reservedDomainOf(key: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return undefined;
  const prefix = key.slice(0, slash).toLowerCase();
  if (prefix === RECOMMENDED_PREFIX) return undefined;
  return RESERVED_DOMAINS.find((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
}

/**
 * The labels an exposure created without `labels` gets: its selector's, as `kubectl expose` copies
 * them, so that `kubectl get svc -l app=elasticsearch` finds the Service beside its pods. Keys the
 * caller could not set themselves (managed or reserved) are left out; the rest count toward the
 * limits like labels given explicitly.
 */
export function labelsFromSelector(selector: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(selector)) {
    if (labelKeyProblem(key) || isManagedLabelKey(key) || reservedDomainOf(key) !== undefined) continue;
    labels[key] = value;
  }
  return labels;
}

/** Why the caller may not set these labels: syntax, managed and reserved keys, count and size. */
export function userLabelViolations(labels: Record<string, string>): Violation[] {
  const violations: Violation[] = [];
  const keys = Object.keys(labels);
  let bytes = 0;
  for (const key of keys) {
    bytes += encoder.encode(key).length + encoder.encode(labels[key] ?? '').length;
    const pointer = `/labels/${pointerToken(key)}`;
    const problem = labelKeyProblem(key);
    if (problem) {
      violations.push(invalid(pointer, problem));
    } else if (isManagedLabelKey(key)) {
      violations.push(invalid(pointer, `'${key}' is managed by exposure-api and cannot be set`));
    } else {
      const domain = reservedDomainOf(key);
      if (domain !== undefined) {
        violations.push(
          invalid(
            pointer,
            `'${key}': keys under ${domain} (and its subdomains) are reserved for ${domain === EXPOSURE_API_DOMAIN ? 'exposure-api' : 'Kubernetes components'}; of them only the recommended ${RECOMMENDED_PREFIX}/ labels may be set`,
          ),
        );
      }
    }
  }
  if (keys.length > MAX_USER_LABELS) {
    violations.push(
      invalid('/labels', `at most ${MAX_USER_LABELS} labels per exposure (this would make ${keys.length})`),
    );
  }
  if (bytes > MAX_USER_LABEL_BYTES) {
    violations.push(
      invalid(
        '/labels',
        `the keys and values of the labels may add up to at most ${MAX_USER_LABEL_BYTES} bytes (this would make ${bytes})`,
      ),
    );
  }
  return violations;
}
