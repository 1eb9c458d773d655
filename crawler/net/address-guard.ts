/**
 * The SSRF filter: which IP addresses the crawler may connect to. Pure.
 *
 * Reference: Synapse's `DEFAULT_IP_RANGE_BLOCKLIST` (formerly
 * `DEFAULT_IP_RANGE_BLACKLIST`) in synapse/config/server.py (matrix-org/synapse;
 * checked against v1.163.2 in /opt/chatlas-synapse), plus its
 * `generate_ip_set()` rule that an IPv4 range also covers its IPv4-mapped,
 * IPv4-compatible and 6to4 forms. We add what Synapse leaves out: 0.0.0.0/8,
 * 240.0.0.0/4 (reserved, with the broadcast address), `::`, NAT64 (RFC 6052,
 * RFC 8215), Teredo (RFC 4380), ORCHID, discard-only and every IPv6 address
 * outside global unicast 2000::/3 (IANA IPv6 address space registry).
 *
 * `allow` CIDRs override the built-in refusals (a lab allows 127.0.0.0/8);
 * `deny` CIDRs always win. A string that is not a canonical IP literal is
 * refused: the guard fails closed.
 */
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Addr, number];

/** The allow and deny lists (CIDR strings, already validated by the config). */
export interface NetLists {
  allow?: readonly string[];
  deny?: readonly string[];
}

/** Built-in IPv4 refusals, each with the reason recorded in errors. */
const V4_REFUSED: ReadonlyArray<[string, string]> = [
  ['0.0.0.0/8', 'this-network'], // RFC 791; includes 0.0.0.0 (unspecified)
  ['10.0.0.0/8', 'private'], // RFC 1918 (Synapse)
  ['100.64.0.0/10', 'carrier-grade-nat'], // RFC 6598 (Synapse)
  ['127.0.0.0/8', 'loopback'], // (Synapse)
  ['169.254.0.0/16', 'link-local'], // RFC 3927 (Synapse)
  ['172.16.0.0/12', 'private'], // RFC 1918 (Synapse)
  ['192.0.0.0/24', 'ietf-protocol-assignments'], // RFC 6890 (Synapse)
  ['192.0.2.0/24', 'documentation'], // TEST-NET-1 (Synapse)
  ['192.88.99.0/24', '6to4-relay'], // RFC 7526 (Synapse)
  ['192.168.0.0/16', 'private'], // RFC 1918 (Synapse)
  ['198.18.0.0/15', 'benchmarking'], // RFC 2544 (Synapse)
  ['198.51.100.0/24', 'documentation'], // TEST-NET-2 (Synapse)
  ['203.0.113.0/24', 'documentation'], // TEST-NET-3 (Synapse)
  ['224.0.0.0/4', 'multicast'], // (Synapse)
  ['240.0.0.0/4', 'reserved'], // RFC 1112; includes 255.255.255.255 (broadcast)
];

/** Built-in IPv6 refusals (before the embedded-IPv4 rules below). */
const V6_REFUSED: ReadonlyArray<[string, string]> = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'], // (Synapse)
  ['64:ff9b:1::/48', 'nat64-local'], // RFC 8215 local-use NAT64
  ['100::/64', 'discard-only'], // RFC 6666
  ['2001:2::/48', 'benchmarking'], // RFC 5180
  ['2001:10::/28', 'orchid'], // RFC 4843 (deprecated)
  ['2001:20::/28', 'orchid'], // RFC 7343
  ['2001:db8::/32', 'documentation'], // RFC 3849 (Synapse)
  ['fc00::/7', 'unique-local'], // RFC 4193 (Synapse)
  ['fe80::/10', 'link-local'], // (Synapse)
  ['fec0::/10', 'site-local'], // RFC 3879 (Synapse)
  ['ff00::/8', 'multicast'], // (Synapse)
];

const parseList = (list: ReadonlyArray<[string, string]>): Array<[Cidr, string]> =>
  list.map(([c, why]) => [ipaddr.parseCIDR(c) as Cidr, why]);
const V4 = parseList(V4_REFUSED);
const V6 = parseList(V6_REFUSED);
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as Cidr;
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96') as Cidr; // RFC 6052 well-known prefix
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16') as Cidr; // RFC 3056
const TEREDO = ipaddr.parseCIDR('2001::/32') as Cidr; // RFC 4380
const V4_COMPAT = ipaddr.parseCIDR('::/96') as Cidr; // RFC 4291 §2.5.5.1 (deprecated)
const UNSPECIFIED_OR_LOOPBACK = ipaddr.parseCIDR('::/127') as Cidr; // `::` and `::1`, judged as themselves

/** Parsed CIDR lists, cached: configs hold a handful of entries used on every connection. */
const cidrCache = new Map<string, Cidr>();
function cidr(text: string): Cidr | null {
  let c = cidrCache.get(text);
  if (c === undefined) {
    if (!ipaddr.isValidCIDR(text)) return null;
    c = ipaddr.parseCIDR(text) as Cidr;
    if (cidrCache.size < 10_000) cidrCache.set(text, c);
  }
  return c;
}

function inAny(addr: Addr, list: readonly string[] | undefined): boolean {
  if (!list) return false;
  for (const text of list) {
    const c = cidr(text);
    if (c && c[0].kind() === addr.kind() && addr.match(c)) return true;
  }
  return false;
}


function v4FromParts(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/** Parse an IP literal strictly. IPv6 zone ids are refused (only link-local uses them). */
function parseStrict(ip: string): Addr | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return ipaddr.IPv4.parse(ip);
  if (ip.includes(':') && !ip.includes('%') && ipaddr.IPv6.isValid(ip)) return ipaddr.IPv6.parse(ip);
  return null;
}

/**
 * Why `ip` must not be connected to, or `null` when it may.
 * @example forbiddenReason('10.1.2.3') === 'private'
 * @example forbiddenReason('127.0.0.1', { allow: ['127.0.0.0/8'] }) === null
 */
export function forbiddenReason(ip: string, nets: NetLists = {}): string | null {
  const addr = parseStrict(ip);
  if (!addr) return 'not-an-ip-literal';
  return reasonFor(addr, nets, 0);
}

function reasonFor(addr: Addr, nets: NetLists, depth: number): string | null {
  if (inAny(addr, nets.deny)) return 'denied-by-config';
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    // The same host as its IPv4 form (mapped, RFC 4291 §2.5.5.2; compatible,
    // §2.5.5.1): judge it entirely as IPv4, allow and deny lists included.
    if (v6.isIPv4MappedAddress() || (v6.match(V4_COMPAT) && !v6.match(UNSPECIFIED_OR_LOOPBACK))) {
      const v4 = v4FromParts(v6.parts[6] ?? 0, v6.parts[7] ?? 0);
      return depth > 2 ? 'nested-embedding' : reasonFor(v4, nets, depth + 1);
    }
  }
  if (inAny(addr, nets.allow)) return null;
  if (addr.kind() === 'ipv4') {
    for (const [c, why] of V4) if (addr.match(c)) return why;
    return null;
  }
  const v6 = addr as ipaddr.IPv6;
  for (const [c, why] of V6) if (v6.match(c)) return why;
  const p = v6.parts;
  // Translators and tunnels reach the IPv4 address they embed: refuse when it is.
  const embedded: ipaddr.IPv4[] = [];
  if (v6.match(NAT64)) embedded.push(v4FromParts(p[6] ?? 0, p[7] ?? 0));
  else if (v6.match(SIX_TO_FOUR)) embedded.push(v4FromParts(p[1] ?? 0, p[2] ?? 0));
  else if (v6.match(TEREDO)) {
    // Server address in bits 32-63; client address obfuscated (XOR) in bits 96-127.
    embedded.push(v4FromParts(p[2] ?? 0, p[3] ?? 0));
    embedded.push(v4FromParts((p[6] ?? 0) ^ 0xffff, (p[7] ?? 0) ^ 0xffff));
  } else if (!v6.match(GLOBAL_UNICAST)) {
    return 'reserved';
  }
  for (const v4 of embedded) {
    const why = depth > 2 ? 'nested-embedding' : reasonFor(v4, nets, depth + 1);
    if (why !== null) return `embedded-${why}`;
  }
  return null;
}

/** True when the crawler must not connect to `ip`. See {@link forbiddenReason}. */
export function isForbidden(ip: string, nets: NetLists = {}): boolean {
  return forbiddenReason(ip, nets) !== null;
}
