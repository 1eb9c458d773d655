/**
 * The address of the client behind trusted reverse proxies. Pure.
 *
 * The per-client rate limits key on the TCP peer. Behind nginx, Caddy or a CDN
 * that peer is the proxy, so every visitor would share its bucket. When the
 * peer is in `CHATLAS_TRUSTED_PROXIES`, the client is read from
 * `X-Forwarded-For` the standard way (express `trust proxy` with a list,
 * Go's realip): walk the list from the right, skip the hops that are
 * themselves trusted, and the first untrusted one is the client. Everything
 * left of it was written by the client and is never believed. A malformed
 * entry ends the walk: the last trusted hop is the answer.
 *
 * `Forwarded` (RFC 7239) is deliberately not read. A proxy that rewrites one
 * of the two headers passes the other through untouched, so reading both
 * would let a client pick its own address through the one its proxy ignores.
 * Every common proxy sets `X-Forwarded-For`.
 */
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Parsed trusted ranges (from {@link parseTrustedProxies}); empty trusts nobody. */
export interface TrustedProxies {
  readonly ranges: ReadonlyArray<[Addr, number]>;
}

/** Trusts nobody: the peer address is the client (the default). */
export const NO_TRUSTED_PROXIES: TrustedProxies = { ranges: [] };

/** An IP literal, strictly: dotted four-part decimal or IPv6 without a zone id. */
function parseIp(text: string): Addr | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) is the IPv4 host itself. */
function unmap(addr: Addr): Addr {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** One entry: an IP (a single host) or a CIDR; mapped IPv6 ranges become IPv4 ones. */
function parseEntry(entry: string): [Addr, number] | null {
  const slash = entry.indexOf('/');
  const ip = parseIp(slash < 0 ? entry : entry.slice(0, slash));
  if (!ip) return null;
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const text = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(text) || Number(text) > max) return null;
    bits = Number(text);
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [unmap(ip), bits - 96];
  return [ip, bits];
}

/**
 * Parse the trusted proxy list (IPs and CIDRs, IPv4 and IPv6).
 * @throws {TypeError} quoting the first entry that is neither.
 * @example parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8'])
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const ranges: Array<[Addr, number]> = [];
  for (const entry of entries) {
    const range = parseEntry(entry);
    if (!range) throw new TypeError(`${JSON.stringify(entry)} is not an IP address or CIDR (such as 10.0.0.1, 10.0.0.0/8 or fd00::/8)`);
    ranges.push(range);
  }
  return { ranges };
}

function isTrusted(addr: Addr, trusted: TrustedProxies): boolean {
  for (const range of trusted.ranges) {
    if (range[0].kind() === addr.kind() && addr.match(range)) return true;
  }
  return false;
}

/**
 * One `X-Forwarded-For` hop: a bare IP, or with a port as some proxies write
 * it (`192.0.2.1:4711`, `[2001:db8::1]:4711`). Anything else is malformed.
 */
function parseHop(hop: string): Addr | null {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  if (bracketed) return bracketed[1]!.includes(':') ? parseIp(bracketed[1]!) : null;
  const v4Port = /^([\d.]+):\d{1,5}$/.exec(hop);
  return parseIp(v4Port ? v4Port[1]! : hop);
}

/**
 * The client address of a request: the TCP `peer` itself unless it is a
 * trusted proxy, else the first untrusted hop of `forwardedFor` from the
 * right (see the module comment). IPv4-mapped IPv6 comes back as IPv4.
 * An unparsable peer is returned as it is (it can never be trusted).
 * @param forwardedFor the `X-Forwarded-For` header (node joins repeated headers with commas)
 * @example resolveClientAddress('10.0.0.2', '198.51.100.7, 10.0.0.9', parseTrustedProxies(['10.0.0.0/8'])) === '198.51.100.7'
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | readonly string[] | undefined, trusted: TrustedProxies): string | undefined {
  if (peer === undefined) return undefined;
  const parsed = parseIp(peer);
  if (!parsed) return peer;
  let client = unmap(parsed);
  if (trusted.ranges.length === 0 || !isTrusted(client, trusted) || forwardedFor === undefined) return client.toString();
  const hops = (typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',')).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseHop(hops[i]!.trim());
    // A malformed hop: nothing left of it can be placed, so the last trusted hop stands.
    if (!hop) break;
    client = unmap(hop);
    if (!isTrusted(client, trusted)) break;
  }
  return client.toString();
}
