import { ipVersion } from './service.js';

/**
 * What the sign-in lockout counts a client by, as the public routes' rate limit does
 * (@fastify/rate-limit's default key). An IPv4 address (also written IPv4-mapped, ::ffff:a.b.c.d)
 * is one client; an IPv6 address counts by its /64, the block one home line, phone or rented
 * server is given: counted by the full address, a client with one /64 had 2^64 addresses, each
 * with its own five guesses at any account's password (round-9 probe). Anything else is counted
 * as written.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && ipVersion(mapped[1]) === 4) return mapped[1];
  const v6 = ipv6Groups(ip.replace(/%.*$/, '')); // a zone (fe80::1%eth0) names the interface, not the client
  return v6 ? `${v6.slice(0, 4).join(':')}::/64` : ip;
}

/** The eight 16-bit groups of an IPv6 address (lowercase, no leading zeros), a trailing dotted IPv4 part included; null when it is none. */
function ipv6Groups(a: string): string[] | null {
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  let text = a;
  if (dotted) {
    if (ipVersion(dotted[2]) !== 4) return null;
    const [b0, b1, b2, b3] = dotted[2].split('.').map(Number);
    text = `${dotted[1]}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  if (ipVersion(text) !== 6) return null;
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}
