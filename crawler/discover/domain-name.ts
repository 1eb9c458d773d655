/**
 * Turn whatever names a server (a bare domain, a URL, a JID, a Matrix user,
 * room or alias id, an XMPP URI) into the one canonical form the frontier
 * stores: lower-case ASCII (IDNA/punycode), no trailing dot, no port, no path.
 * Junk is refused with a stable reason so the caller can record why.
 *
 * Rules and their sources:
 * - hostname syntax (LDH labels, 63 bytes per label, 253 per name):
 *   RFC 1035 §2.3.4 and RFC 1123 §2.1;
 * - IDN conversion both ways: WHATWG URL "domain to ASCII" via node:url
 *   `domainToASCII` / `domainToUnicode`;
 * - reserved names never on the public internet: RFC 2606 (.test, .example,
 *   .invalid, .localhost, example.com/net/org), RFC 6761, RFC 6762 (.local),
 *   RFC 8375 (home.arpa), RFC 7686 (.onion), ICANN's .internal (2024);
 * - XMPP domainparts are hostnames; an IP literal is allowed by RFC 7622 §3.2
 *   but never names a federating service, so it is refused for XMPP;
 * - Matrix server names may be IP literals (spec "Server names", appendices);
 *   the crawler's address guard still refuses private addresses.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { isIP } from 'node:net';
import type { Protocol } from '../types.ts';

/** Why a name was refused. Stable codes: logs and the discoveries audit branch on them. */
export const DOMAIN_REFUSALS = [
  'empty', 'too-long', 'label-too-long', 'empty-label', 'bad-character', 'bad-hyphen', 'bad-punycode',
  'single-label', 'ip-literal', 'reserved-tld', 'reserved-name', 'numeric-tld',
] as const;
export type DomainRefusal = (typeof DOMAIN_REFUSALS)[number];

/** A normalised name, or the reason it was refused. */
export type NormalisedDomain =
  | { ok: true; /** Lower-case ASCII (punycode) form: what is stored and probed. */ domain: string; /** Unicode form, for display. */ unicode: string }
  | { ok: false; reason: DomainRefusal; /** The input, cut to 200 characters, for the log line. */ input: string };

/** Top-level labels that never name a public server. */
export const DEFAULT_RESERVED_TLDS: readonly string[] = [
  'test', 'example', 'invalid', 'localhost', 'local', 'onion', 'internal', 'lan', 'home', 'corp', 'localdomain', 'alt', 'arpa',
];

/** Whole names that are reserved although their TLD is public (RFC 2606 §3, RFC 8375). */
export const DEFAULT_RESERVED_NAMES: readonly string[] = ['example.com', 'example.net', 'example.org', 'home.arpa'];

/** Options of {@link normaliseDomain}. */
export interface NormaliseOptions {
  /**
   * The protocol the name is for: XMPP refuses IP literals, Matrix keeps them.
   * @default undefined (IP literals refused)
   */
  protocol?: Protocol;
  /**
   * Reserved TLDs to refuse. Tests pass a list without `test` to use `.test` hosts.
   * @default DEFAULT_RESERVED_TLDS
   */
  reservedTlds?: readonly string[];
  /** @default DEFAULT_RESERVED_NAMES */
  reservedNames?: readonly string[];
}

/**
 * What every `domain` returned by {@link normaliseDomain} matches, in any letter case: two or
 * more LDH labels of 1-63 characters (no hyphen at either end), or a bracketed IPv6 literal (a
 * Matrix server name). An IPv4 literal is LDH labels too. Readers that take a stored domain
 * back from a URL (the site's and API's `domainSchema`, site/lib/params.ts) validate with it,
 * so every stored server can be asked for; they lower-case after matching. It is an ECMA-262
 * source without lookarounds or flags, as JSON Schema's `pattern` (and a test-data generator
 * reading it) needs; the 253-character cap is separate (`maxLength`).
 */
export const DOMAIN_NAME_PATTERN = '^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+|\\[[0-9A-Fa-f:.]+\\])$';

const MAX_NAME = 253;
const MAX_LABEL = 63;
const LDH = /^[a-z0-9-]+$/;

/**
 * Normalise one name to a domain.
 * @example normaliseDomain('@alice:Bücher.example.org:8448') // { ok: true, domain: 'xn--bcher-kva.example.org', ... }
 * @example normaliseDomain('localhost') // { ok: false, reason: 'single-label', ... }
 */
export function normaliseDomain(input: string, options: NormaliseOptions = {}): NormalisedDomain {
  const refuse = (reason: DomainRefusal): NormalisedDomain => ({ ok: false, reason, input: input.slice(0, 200) });
  // Hostile input can be huge; nothing longer than a URL of a max-length name is worth parsing.
  if (input.length > 2048) return refuse('too-long');
  const host = extractHost(input.trim());
  if (host === '') return refuse('empty');

  // IP literals: bracketed IPv6, bare IPv4 or IPv6.
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) {
    if (options.protocol !== 'matrix') return refuse('ip-literal');
    // node:net takes an IPv6 zone ("fe80::1%eth0"); a scoped address names no server (RFC 3986 IP-literal has none).
    if (bare.includes('%')) return refuse('bad-character');
    return { ok: true, domain: isIP(bare) === 6 ? `[${bare.toLowerCase()}]` : bare, unicode: bare };
  }

  const trimmed = host.endsWith('.') ? host.slice(0, -1) : host;
  if (trimmed === '') return refuse('empty');
  // Empty labels first: WHATWG domainToASCII keeps "a..b" as is.
  if (trimmed.split('.').some((l) => l === '')) return refuse('empty-label');
  const ascii = domainToASCII(trimmed);
  if (ascii === '') return refuse('bad-character');
  const domain = ascii.toLowerCase();
  if (domain.length > MAX_NAME) return refuse('too-long');
  const labels = domain.split('.');
  for (const label of labels) {
    if (label === '') return refuse('empty-label');
    if (label.length > MAX_LABEL) return refuse('label-too-long');
    if (!LDH.test(label)) return refuse('bad-character');
    if (label.startsWith('-') || label.endsWith('-')) return refuse('bad-hyphen');
    if (label.startsWith('xn--') && !validPunycode(label)) return refuse('bad-punycode');
  }
  if (labels.length < 2) return refuse('single-label');
  const tld = labels[labels.length - 1]!;
  // An all-numeric TLD is an IPv4 look-alike (e.g. "1.2.3.04"), never a real TLD (RFC 3696 §2).
  if (/^\d+$/.test(tld)) return refuse('numeric-tld');
  if ((options.reservedTlds ?? DEFAULT_RESERVED_TLDS).includes(tld)) return refuse('reserved-tld');
  const reservedNames = options.reservedNames ?? DEFAULT_RESERVED_NAMES;
  for (const name of reservedNames) {
    if (domain === name || domain.endsWith(`.${name}`)) return refuse('reserved-name');
  }
  return { ok: true, domain, unicode: domainToUnicode(domain) || domain };
}

/**
 * The host part of a URL, JID, Matrix id or bare `host:port`. Ports, paths,
 * local parts and resources are dropped; what is left is validated later.
 */
function extractHost(s: string): string {
  let rest = s;
  // URLs with an authority: https://host:port/path, xmpp://…
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (url) {
    rest = rest.slice(url[0].length);
    rest = rest.split(/[/?#]/, 1)[0] ?? '';
    const at = rest.lastIndexOf('@');
    if (at >= 0) rest = rest.slice(at + 1);
    return stripPort(rest);
  }
  // XMPP URI without authority (RFC 5122): xmpp:user@host?join
  if (/^xmpp:/i.test(rest)) rest = rest.slice(5).split(/[?#]/, 1)[0] ?? '';
  // Matrix identifiers: @user:server, #alias:server, !room:server, $event:server, +group:server.
  // The server name follows the FIRST colon and may carry its own port.
  if (/^[@#!$+]/.test(rest) && rest.includes(':')) return stripPort(rest.slice(rest.indexOf(':') + 1).split('/', 1)[0] ?? '');
  // JIDs: local@domain/resource (RFC 7622 §3.1): resource first, then the local part.
  rest = rest.split('/', 1)[0] ?? '';
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  return stripPort(rest);
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  // Two or more colons without brackets: a bare IPv6 literal, keep it whole.
  if (host.split(':').length > 2) return host;
  return host.split(':', 1)[0] ?? '';
}

/** An `xn--` label must decode to something other than itself (WHATWG keeps invalid punycode as is). */
function validPunycode(label: string): boolean {
  const unicode = domainToUnicode(label);
  return unicode !== '' && unicode !== label && domainToASCII(unicode).toLowerCase() === label;
}
