/**
 * Whether an IP address is a public one (personal data: it locates a person's device) or one that identifies no one:
 * private (RFC 1918, unique local), loopback, link-local, CGNAT (100.64.0.0/10), documentation and benchmarking
 * ranges, multicast, reserved, unspecified (IANA's special-purpose address registries).
 */
import { BlockList, isIP } from 'node:net';

/** IPv4 ranges that identify no one: [network, prefix length] */
const IPV4_NOT_PUBLIC: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
/** the same as [first, last] address numbers, for the scanner's pass (it has the number already) */
const IPV4_RANGES = IPV4_NOT_PUBLIC.map(([net, prefix]) => {
  const first = net.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return [first, first + 2 ** (32 - prefix) - 1] as const;
});
const NOT_PUBLIC_V4 = new BlockList();
for (const [net, prefix] of IPV4_NOT_PUBLIC) NOT_PUBLIC_V4.addSubnet(net, prefix, 'ipv4');
// (a list of its own: a BlockList checks an IPv4 address against IPv6 rules too, as ::ffff:a.b.c.d)
const NOT_PUBLIC_V6 = new BlockList();
for (const [net, prefix] of [
  ['::', 8], // unspecified, loopback, IPv4-compatible, reserved
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NOT_PUBLIC_V6.addSubnet(net, prefix, 'ipv6');
}

/** Whether the IPv4 address numbered `ip` (a.b.c.d as a * 2^24 + b * 2^16 + c * 2^8 + d) is public. */
export function isPublicIpv4(ip: number): boolean {
  for (const [first, last] of IPV4_RANGES) if (ip >= first && ip <= last) return false;
  return true;
}

/**
 * Whether `ip` is a valid public IPv6 address: the same answer as isPublicIp, worked out on the address's groups (the
 * scanner's pass asks for many, and a BlockList check allocates).
 */
export function isPublicIpv6(ip: string): boolean {
  // Without '::' an IPv6 address has 7 colons, or 6 before an embedded IPv4 address: times ("10:15:30.123", the most
  // common candidate in logs) are turned away here, before node's validator (a regular expression) is asked.
  if (!ip.includes('::')) {
    let colons = 0;
    for (let k = 0; k < ip.length; k++) if (ip.charCodeAt(k) === 58) colons++;
    if (colons < 6) return false;
  }
  if (isIP(ip) !== 6) return false;
  const halves = ip.toLowerCase().split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const last = (tail.length ? tail : head).at(-1) ?? '';
  if (last.includes('.')) return isPublicIp(ip); // an embedded IPv4 address
  const groups = [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const [a, b, c, d] = groups;
  if (a <= 0xff) return false; // ::/8
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return false; // 100::/64
  if (a === 0x2001 && (b < 0x200 || b === 0xdb8)) return false; // 2001::/23, 2001:db8::/32
  if (a === 0x3fff && b < 0x1000) return false; // 3fff::/20
  if (a === 0x5f00 || a >= 0xfc00) return false; // 5f00::/16; fc00::/7, fe80::/10, fec0::/10, ff00::/8
  return true;
}

/** Whether `ip` is a valid public IPv4 or IPv6 address (an IPv4-mapped IPv6 address by its IPv4 address). */
export function isPublicIp(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return !NOT_PUBLIC_V4.check(ip, 'ipv4');
  if (v !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return !NOT_PUBLIC_V4.check(mapped[1], 'ipv4');
  return !NOT_PUBLIC_V6.check(ip, 'ipv6');
}
