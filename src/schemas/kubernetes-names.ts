// Patterns of the Kubernetes object names the API accepts, checked before anything is written so
// that a bad name is our 400 with a field path, not the apiserver's 422 after a partial write.

/** DNS-1035 label: what a Service name must be (starts with a letter). */
export const DNS1035_LABEL = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
/** DNS-1123 label: namespaces and Service port names. */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** IANA service name: a named targetPort (at most 15 characters, at least one letter, no `--`). */
export const IANA_SVC_NAME = '^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A label value (may be empty). */
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** The name part of a label key (after an optional `prefix/`). */
export const LABEL_NAME = '^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$';
/** The prefix part of a label key: a DNS-1123 subdomain. */
export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
