// Who a client of the sandbox is. Every client is on loopback, so the sandbox gives three loopback
// blocks the meaning of the documentation ranges (RFC 5737), written 127.<first octet>.<third
// octet>.<host>: a client bound to 127.203.113.10 stands for 203.0.113.10. Any other client
// (127.0.0.1 included) is somewhere on the internet, outside every range but 0.0.0.0/0.
import ipaddr from 'ipaddr.js';

export const CLIENT_NETWORKS = [
  { loopback: '127.203.113.0/24', public: '203.0.113.0/24' },
  { loopback: '127.198.100.0/24', public: '198.51.100.0/24' },
  { loopback: '127.192.2.0/24', public: '192.0.2.0/24' },
] as const;

/** The public address a loopback client stands for, or undefined for an unknown internet address. */
export function publicAddressOf(clientAddress: string): ipaddr.IPv4 | undefined {
  const client = parseIPv4(clientAddress);
  if (!client) return undefined;
  for (const network of CLIENT_NETWORKS) {
    if (!client.match(ipaddr.IPv4.parseCIDR(network.loopback))) continue;
    const [base] = ipaddr.IPv4.parseCIDR(network.public);
    return new ipaddr.IPv4([...base.octets.slice(0, 3), client.octets[3] ?? 0]);
  }
  return undefined;
}

/** A client address as IPv4, also when a dual-stack socket reports it as `::ffff:a.b.c.d`. */
export function parseIPv4(address: string): ipaddr.IPv4 | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  const parsed = ipaddr.process(address);
  return parsed.kind() === 'ipv4' ? (parsed as ipaddr.IPv4) : undefined;
}
