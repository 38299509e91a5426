// CIDR parsing with the strictness a firewall needs: canonical notation, no host bits, and the
// family known, so that policy checks compare like with like.
import ipaddr from 'ipaddr.js';
import type { IpFamily } from './naming.ts';

export interface Cidr {
  family: IpFamily;
  /** Canonical text, e.g. `203.0.113.0/24` or `2001:db8::/32`. */
  text: string;
  prefixLength: number;
  address: ipaddr.IPv4 | ipaddr.IPv6;
}

export type CidrParseResult = { ok: true; cidr: Cidr } | { ok: false; detail: string };

export function parseCidr(input: string): CidrParseResult {
  const slash = input.indexOf('/');
  if (slash < 0) {
    return {
      ok: false,
      detail: `'${input}' is not a CIDR: it needs a prefix length (e.g. '${input}/32' for one address)`,
    };
  }
  const addressText = input.slice(0, slash);
  const prefixText = input.slice(slash + 1);
  if (addressText.includes('%')) {
    return { ok: false, detail: `'${input}' has a zone id; a source range cannot name an interface` };
  }
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
    return { ok: false, detail: `'${input}' has an invalid prefix length` };
  }
  // ipaddr.js also accepts octal and hex IPv4 forms ("010.0.0.1"); a firewall range must not
  // mean something other than what it looks like, so IPv4 must be four plain decimal parts.
  const isIPv4 = ipaddr.IPv4.isValidFourPartDecimal(addressText);
  if (!isIPv4 && !(addressText.includes(':') && ipaddr.IPv6.isValid(addressText))) {
    return { ok: false, detail: `'${input}' is not a valid IPv4 or IPv6 CIDR` };
  }
  const address = ipaddr.parse(addressText);
  const prefixLength = Number(prefixText);
  const family: IpFamily = address.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
  const maxPrefix = family === 'IPv4' ? 32 : 128;
  if (prefixLength > maxPrefix) {
    return { ok: false, detail: `'${input}' has a prefix length above ${maxPrefix}` };
  }
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return { ok: false, detail: `'${input}' is an IPv4-mapped IPv6 range; write the IPv4 range instead` };
  }
  const network = networkAddress(address, prefixLength);
  const canonical = `${network.toString()}/${prefixLength}`;
  if (network.toString() !== address.toString()) {
    return {
      ok: false,
      detail: `'${input}' has host bits set; did you mean '${canonical}'?`,
    };
  }
  return { ok: true, cidr: { family, text: canonical, prefixLength, address: network } };
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, prefixLength: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = address.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const bitsInByte = Math.max(0, Math.min(8, prefixLength - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - bitsInByte)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes);
}

/** Whether `inner` lies entirely inside `outer` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family) return false;
  if (inner.prefixLength < outer.prefixLength) return false;
  return inner.address.match(outer.address, outer.prefixLength);
}

export function isEverything(cidr: Cidr): boolean {
  return cidr.prefixLength === 0;
}
