/**
 * Matrix server names.
 *
 * Spec: Matrix Specification v1.16, "Appendices / Identifier Grammar / Server Name"
 * https://spec.matrix.org/v1.16/appendices/#server-name
 *
 *   server_name = hostname [ ":" port ]
 *   port        = 1*5DIGIT
 *   hostname    = IPv4address / "[" IPv6address "]" / dns-name
 *   dns-name    = 1*255dns-char
 *   dns-char    = DIGIT / ALPHA / "-" / "."
 *
 * The grammar is looser than DNS; `dnsIssues` lists what a resolver would
 * refuse (empty labels, labels over 63 characters, leading/trailing hyphens)
 * so a server page can explain it.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ProbeError } from '../errors.ts';

/** A parsed server name. */
export interface ServerName {
  /** `ipv4`, `ipv6` (written in brackets) or `dns`. */
  kind: 'ipv4' | 'ipv6' | 'dns';
  /** Host without brackets, lower-cased for DNS names. */
  host: string;
  /** Explicit port, or null. */
  port: number | null;
  /** The name as it should be written back: host (bracketed for IPv6) plus `:port` when explicit. */
  text: string;
  /** DNS-level problems with a `dns` host (grammar-valid but unresolvable); empty when fine. */
  dnsIssues: string[];
}

/** Longest server name we accept (the grammar caps dns-name at 255; port and brackets add a little). */
const MAX_LENGTH = 255 + 1 + 5;

/**
 * Parse a server name per the spec grammar.
 * @returns the parsed name or ProbeError `matrix.invalid-server-name`.
 */
export function parseServerName(input: string): ServerName | ProbeError {
  const fail = (why: string) => new ProbeError('matrix.invalid-server-name', `invalid server name ${JSON.stringify(input.slice(0, 80))}: ${why}`);
  if (typeof input !== 'string' || input.length === 0) return fail('empty');
  if (input.length > MAX_LENGTH) return fail('too long');
  let hostPart: string;
  let portPart: string | null = null;
  if (input.startsWith('[')) {
    const close = input.indexOf(']');
    if (close < 0) return fail('unclosed IPv6 bracket');
    hostPart = input.slice(1, close);
    const rest = input.slice(close + 1);
    if (rest.length > 0) {
      if (!rest.startsWith(':')) return fail('junk after IPv6 literal');
      portPart = rest.slice(1);
    }
    if (!isIPv6(hostPart) || hostPart.includes('%')) return fail('bad IPv6 literal');
  } else {
    const colon = input.lastIndexOf(':');
    if (colon >= 0) {
      if (input.indexOf(':') !== colon) return fail('IPv6 literal must be in brackets');
      hostPart = input.slice(0, colon);
      portPart = input.slice(colon + 1);
    } else {
      hostPart = input;
    }
  }
  let port: number | null = null;
  if (portPart !== null) {
    if (!/^[0-9]{1,5}$/.test(portPart)) return fail('port must be 1-5 digits');
    port = Number(portPart);
    if (port < 1 || port > 65535) return fail('port out of range');
  }
  if (input.startsWith('[')) {
    const host = hostPart.toLowerCase();
    return { kind: 'ipv6', host, port, text: `[${host}]${port === null ? '' : `:${port}`}`, dnsIssues: [] };
  }
  if (hostPart.length === 0) return fail('empty host');
  if (hostPart.length > 255) return fail('host longer than 255 characters');
  if (!/^[0-9A-Za-z.-]+$/.test(hostPart)) return fail('host has characters outside [0-9A-Za-z.-]');
  if (isIPv4(hostPart)) {
    return { kind: 'ipv4', host: hostPart, port, text: `${hostPart}${port === null ? '' : `:${port}`}`, dnsIssues: [] };
  }
  const host = hostPart.toLowerCase();
  return { kind: 'dns', host, port, text: `${host}${port === null ? '' : `:${port}`}`, dnsIssues: dnsIssues(host) };
}

/** What keeps a grammar-valid dns-name from resolving (RFC 1035 §2.3.4 sizes, RFC 952/1123 hyphens). */
function dnsIssues(host: string): string[] {
  const issues: string[] = [];
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  if (labels.some((l) => l.length === 0)) issues.push('empty label');
  if (labels.some((l) => l.length > 63)) issues.push('label longer than 63 characters');
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-'))) issues.push('label starts or ends with a hyphen');
  if (/^[0-9.]+$/.test(name)) issues.push('all-numeric name that is not a valid IPv4 address');
  return issues;
}

/**
 * The server name of a Matrix identifier (`!room:server`, `#alias:server`,
 * `@user:server`): everything after the first colon, per the spec's
 * "Common Identifier Format". Returns null when there is none or it is invalid.
 */
export function serverNameOfId(id: string): ServerName | null {
  if (typeof id !== 'string' || id.length > 600) return null;
  const colon = id.indexOf(':');
  if (colon < 1) return null;
  const parsed = parseServerName(id.slice(colon + 1));
  return parsed instanceof ProbeError ? null : parsed;
}
