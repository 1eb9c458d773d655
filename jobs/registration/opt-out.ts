/**
 * Opt-out without registration, decided from what the crawler fetched. Pure:
 * the scheduler fetches, this function decides.
 *
 * An operator opts a whole domain out of Chatlas with either
 * - DNS TXT `_chatlas.<domain>` = `chatlas=opt-out`, or
 * - a robots.txt group that names `Chatlas` as user agent and disallows `/`
 *   (RFC 9309 §2.2: user-agent matching is case-insensitive on the product
 *   token). A `User-agent: *` group is not an opt-out of the whole
 *   observatory: it only governs which HTTP paths the crawler fetches, and
 *   crawler/policy/robots.ts honours it per request.
 */

/** The opt-out TXT owner name. */
export function optOutTxtName(domain: string): string {
  return `_chatlas.${domain}`;
}

/** The TXT value that opts a domain out. */
export const OPT_OUT_TXT_VALUE = 'chatlas=opt-out';

/** Our robots.txt product token. */
export const ROBOTS_TOKEN = 'chatlas';

/** What the crawler observed, `null` where it could not look. */
export interface OptOutInput {
  /** TXT records of `_chatlas.<domain>`. */
  txt: readonly string[] | null;
  /** `https://<domain>/robots.txt` when it answered 200 (other statuses: pass null). */
  robotsTxt: string | null;
}

/** The decision. */
export interface OptOutDecision {
  optedOut: boolean;
  /** Which signal decided; `null` when not opted out. */
  source: 'dns-txt' | 'robots' | null;
}

/** Decide whether the domain opted out. */
export function checkOptOut(input: OptOutInput): OptOutDecision {
  if (input.txt?.some((r) => r.trim().toLowerCase() === OPT_OUT_TXT_VALUE)) return { optedOut: true, source: 'dns-txt' };
  if (input.robotsTxt !== null && robotsOptsOut(input.robotsTxt)) return { optedOut: true, source: 'robots' };
  return { optedOut: false, source: null };
}

/** Longest robots.txt looked at, characters (RFC 9309 §2.5 asks crawlers to parse at least 500 KiB). */
const MAX_ROBOTS = 512 * 1024;

/**
 * Whether the groups naming Chatlas disallow the root. RFC 9309 §2.2.2: the
 * longest matching rule wins and Allow wins a tie, so `Allow: /` next to
 * `Disallow: /` does not opt out.
 */
export function robotsOptsOut(robots: string): boolean {
  let inOurGroup = false;
  let lastWasAgent = false;
  let disallowRoot = false;
  let allowRoot = false;
  for (const rawLine of robots.slice(0, MAX_ROBOTS).split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent') {
      // Consecutive user-agent lines open one group together.
      if (!lastWasAgent) inOurGroup = false;
      if (value.toLowerCase() === ROBOTS_TOKEN || value.toLowerCase().startsWith(`${ROBOTS_TOKEN}/`)) inOurGroup = true;
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!inOurGroup) continue;
    if (key === 'disallow' && (value === '/' || value === '/*')) disallowRoot = true;
    if (key === 'allow' && (value === '/' || value === '/*')) allowRoot = true;
  }
  return disallowRoot && !allowRoot;
}
