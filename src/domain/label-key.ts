// Kubernetes label key syntax: an optional DNS-1123 subdomain prefix (at most 253 characters)
// and a name of at most 63 characters.
import { DNS1123_SUBDOMAIN, LABEL_NAME } from './patterns.ts';

const LABEL_NAME_REGEX = new RegExp(LABEL_NAME);
const DNS1123_SUBDOMAIN_REGEX = new RegExp(DNS1123_SUBDOMAIN);

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN_REGEX.test(prefix))
  ) {
    return `'${key}': the prefix must be a DNS subdomain of at most 253 characters (e.g. 'example.com/team')`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME_REGEX.test(name)) {
    return `'${key}': the name must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}
