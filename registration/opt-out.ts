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
import { isAllowed, parseRobots, ROBOTS_MAX_BYTES, ROBOTS_TOKEN as CRAWLER_TOKEN } from '../crawler/policy/robots.ts';

/** The opt-out TXT owner name. */
export function optOutTxtName(domain: string): string {
  return `_chatlas.${domain}`;
}

/** The TXT value that opts a domain out. */
export const OPT_OUT_TXT_VALUE = 'chatlas=opt-out';

/** Our robots.txt product token, lower-cased for comparison (crawler/policy/robots.ts ROBOTS_TOKEN). */
const ROBOTS_TOKEN = CRAWLER_TOKEN.toLowerCase();

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

/**
 * Whether robots.txt opts the whole domain out: a group names Chatlas and,
 * under the crawler's own RFC 9309 evaluation (crawler/policy/robots.ts:
 * merged groups, longest match, Allow wins a tie, wildcards), `/` is
 * disallowed for us. So `Allow: /` next to `Disallow: /` does not opt out.
 */
export function robotsOptsOut(robots: string): boolean {
  if (!namesChatlas(robots.slice(0, ROBOTS_MAX_BYTES))) return false;
  return !isAllowed(parseRobots(robots), '/');
}

/** Whether a user-agent line names our product token (RFC 9309 §2.2.1: case-insensitive, optional /version). */
function namesChatlas(robots: string): boolean {
  for (const raw of robots.split(/\r\n|\r|\n/)) {
    const m = /^\s*user-agent\s*:\s*([^#\s]+)/i.exec(raw);
    if (!m) continue;
    const agent = m[1]!.toLowerCase();
    if (agent === ROBOTS_TOKEN || agent.startsWith(`${ROBOTS_TOKEN}/`)) return true;
  }
  return false;
}
