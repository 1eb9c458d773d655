/**
 * Normalise a domain typed by a person into the form Chatlas stores:
 * lower-case ASCII (IDN → punycode, RFC 5891 via WHATWG `domainToASCII`),
 * no final dot, and refuse anything that is not a public DNS name.
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';

/**
 * Special-use names that can never be a public server (RFC 6761, RFC 6762,
 * RFC 7686, RFC 8375). `.test` is deliberately absent: the demo and the
 * simulated federation use it, and a `.test` registration can never be
 * verified on the internet anyway.
 */
export const REFUSED_SUFFIXES = ['localhost', 'local', 'invalid', 'example', 'arpa', 'onion', 'internal', 'lan', 'home', 'corp'] as const;

/** The result of {@link normalizeDomain}. */
export type NormalizedDomain = { ok: true; domain: string } | { ok: false; reason: string };

/** Normalise `input`; `reason` says what is wrong in words a person understands. */
export function normalizeDomain(input: string): NormalizedDomain {
  let s = input.trim();
  if (s.length === 0) return { ok: false, reason: 'the domain is empty' };
  if (s.length > 300) return { ok: false, reason: 'the domain is longer than 253 characters' };
  // People paste URLs and JIDs: refuse them with a hint rather than guessing.
  if (/[/:@?#\s]/.test(s)) return { ok: false, reason: 'give the bare domain (like chat.example.org), not a URL, address or port' };
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (isIP(s) !== 0 || isIP(s.replace(/^\[|\]$/g, '')) !== 0) return { ok: false, reason: 'an IP address cannot be registered; give the domain name' };
  const ascii = domainToASCII(s.toLowerCase());
  if (ascii === '') return { ok: false, reason: 'not a valid domain name (IDNA conversion failed)' };
  if (ascii.length > 253) return { ok: false, reason: 'the domain is longer than 253 characters' };
  const labels = ascii.split('.');
  if (labels.length < 2) return { ok: false, reason: 'the domain needs at least two labels (like example.org)' };
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return { ok: false, reason: 'each label must have 1 to 63 characters' };
    if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label)) return { ok: false, reason: `the label ${JSON.stringify(label)} may only hold letters, digits and inner hyphens` };
  }
  const tld = labels[labels.length - 1]!;
  if (/^[0-9]+$/.test(tld)) return { ok: false, reason: 'the top-level label cannot be all digits' };
  const refused = REFUSED_SUFFIXES.find((suffix) => ascii === suffix || ascii.endsWith(`.${suffix}`));
  if (refused) return { ok: false, reason: `.${refused} names are not public` };
  return { ok: true, domain: ascii };
}
