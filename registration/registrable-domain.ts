/**
 * The domain a person typed into the registration form, in the form Chatlas stores, by the SAME
 * rules the crawler's frontier applies (crawler/discover/domain-name.ts `normaliseDomain`, with
 * the same reserved names). Before there were two normalisers and they disagreed: registration
 * accepted `chat.example.com`, `srv.alt` or invalid punycode `xn--x.de`, which the frontier then
 * refused, so an admin could register and verify a domain the crawler never probed.
 *
 * What is added here is only what a form needs: a hint when a URL, address or port was pasted
 * (the frontier extracts the host from those; a registrant should type the bare domain), and the
 * refusal in words a person understands.
 */
import { isIP } from 'node:net';
import { normaliseDomain, type DomainRefusal, type NormaliseOptions } from '../crawler/discover/domain-name.ts';

/** The result of {@link registrableDomain}. */
export type RegistrableDomain = { ok: true; domain: string } | { ok: false; reason: string };

/** The frontier's refusal codes, said to a person. */
const REASONS: Record<DomainRefusal, string> = {
  'empty': 'the domain is empty',
  'too-long': 'the domain is longer than 253 characters',
  'label-too-long': 'each label must have 1 to 63 characters',
  'empty-label': 'each label must have 1 to 63 characters',
  'bad-character': 'each label may only hold letters, digits and inner hyphens',
  'bad-hyphen': 'a label may not start or end with a hyphen',
  'bad-punycode': 'a label starting with xn-- is not valid punycode (IDNA)',
  'single-label': 'the domain needs at least two labels (like example.org)',
  'ip-literal': 'an IP address cannot be registered; give the domain name',
  'reserved-tld': 'names under this top-level domain are not public',
  'reserved-name': 'this name is reserved for documentation or local use and is not public',
  'numeric-tld': 'the top-level label cannot be all digits',
};

/**
 * Normalise `input` for a registration.
 * @param options the frontier's normalisation options (reserved TLDs and names), so a domain
 *   is registrable exactly when the crawler would probe it. @default the frontier's defaults
 * @example registrableDomain(' Chat.Jabber.ORG. ') // { ok: true, domain: 'chat.jabber.org' }
 * @example registrableDomain('https://matrix.org/') // { ok: false, reason: 'give the bare domain …' }
 */
export function registrableDomain(input: string, options: NormaliseOptions = {}): RegistrableDomain {
  const s = input.trim();
  if (s.length > 300) return { ok: false, reason: REASONS['too-long'] };
  if (isIP(s) !== 0 || isIP(s.replace(/^\[|\]$/g, '')) !== 0) return { ok: false, reason: REASONS['ip-literal'] };
  // People paste URLs and JIDs: refuse them with a hint rather than guessing which host they meant.
  if (/[/:@?#\s[\]]/.test(s)) return { ok: false, reason: 'give the bare domain (like chat.example.org), not a URL, address or port' };
  // Registration is for servers of either protocol: IP literals were refused above, so no protocol is passed.
  const { protocol: _ignored, ...rules } = options;
  const n = normaliseDomain(s, rules);
  return n.ok ? { ok: true, domain: n.domain } : { ok: false, reason: REASONS[n.reason] };
}
