// The syntax of every name and id exposure-api accepts or writes, defined once. They are the
// sources of JSON Schema `pattern`s (the request schemas and the configuration schema) and of the
// domain's own checks, so the rule that is documented is the rule that is enforced. A test keeps
// them from being written out anywhere else (test/architecture/single-definition.test.ts).
//
// Each is an anchored regular-expression source, as JSON Schema wants it; code that tests a
// string compiles it once with `new RegExp(...)`.

/** The body of a DNS-1123 label: lower-case alphanumerics and `-`, alphanumeric at both ends. */
const DNS1123_LABEL_BODY = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** The body of a DNS-1123 subdomain: DNS-1123 labels joined by dots. */
const DNS1123_SUBDOMAIN_BODY = `${DNS1123_LABEL_BODY}(\\.${DNS1123_LABEL_BODY})*`;
/** The body of the name part of a label key: alphanumerics, `-`, `_` and `.`, alphanumeric at both ends. */
const LABEL_NAME_BODY = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

/** DNS-1123 label: namespaces and Service port names (at most 63 characters, checked apart). */
export const DNS1123_LABEL = `^${DNS1123_LABEL_BODY}$`;
/**
 * DNS-1035 (RFC 1035) label, which starts with a letter: Service names, and the names and network
 * tags of GCE resources.
 */
export const DNS1035_LABEL = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
/** IANA service name: a named targetPort (at most 15 characters, at least one letter, no `--`). */
export const IANA_SVC_NAME = `^(?=.*[a-z])(?!.*--)${DNS1123_LABEL_BODY}$`;
/** A DNS-1123 subdomain: the prefix part of a label key (at most 253 characters). */
export const DNS1123_SUBDOMAIN = `^${DNS1123_SUBDOMAIN_BODY}$`;
/** The name part of a label key, after an optional `prefix/` (at most 63 characters). */
export const LABEL_NAME = `^${LABEL_NAME_BODY}$`;
/** A whole label key: an optional DNS-1123 subdomain and `/`, then a name. */
export const LABEL_KEY = `^(${DNS1123_SUBDOMAIN_BODY}/)?${LABEL_NAME_BODY}$`;
/** A label value: a label name, or empty (at most 63 characters). */
export const LABEL_VALUE = `^(${LABEL_NAME_BODY})?$`;

/**
 * The id of an installation. It is part of every firewall rule name, so it must fit GCE's name
 * syntax and leave room for the rest: `exp-` + id + `-` + 26-character ULID + optional `-v6`
 * stays within GCE's 63 characters, hence at most 20 characters.
 */
export const CLUSTER_ID = '^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$';

/**
 * An exposure id: `exp_` and a lower-case ULID (Crockford's base 32, without i, l, o and u). Valid
 * as a Kubernetes label value and, without its prefix, inside a GCE firewall rule name.
 */
export const EXPOSURE_ID = '^exp_[0-9a-hjkmnp-tv-z]{26}$';
