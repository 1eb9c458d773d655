/**
 * Robots Exclusion Protocol, pure: parse a robots.txt and decide whether a
 * path may be fetched.
 *
 * RFC 9309 "Robots Exclusion Protocol", https://www.rfc-editor.org/rfc/rfc9309
 * (September 2022):
 * - §2.1/§2.2.1: groups of `user-agent` lines then rules; product token matched
 *   case-insensitively; all groups naming us are merged; else the `*` group.
 * - §2.2.2: `allow` / `disallow`; the most specific (longest) match wins,
 *   `allow` on a tie; `/robots.txt` is always allowed.
 * - §2.2.3: `*` matches any sequence, `$` anchors the end.
 * - §2.3.1.2-4: more than 5 redirects or 4xx → no restrictions; 5xx or
 *   unreachable → complete disallow.
 * - §2.4: cache for at most 24 hours. §2.5: parse at least 500 KiB.
 * `crawl-delay` is not in RFC 9309; we honour it as the common extension.
 * 429 is treated like 5xx (as Google does, developers.google.com/search/docs/
 * crawling-indexing/robots/robots_txt#http-status-codes): a host asking us to
 * slow down is not one to crawl freely.
 *
 * Why not the `robots-parser` package: its readme (samclarke/robots-parser)
 * targets the pre-RFC draft-koster-rep, it only sees the text (the §2.3.1
 * status table would be ours anyway), and it is not a dependency here.
 */

/** Our product token (RFC 9309 §2.2.1): the first word of our User-Agent. */
export const ROBOTS_TOKEN = 'Chatlas';
/** Bytes of robots.txt parsed (RFC 9309 §2.5: at least 500 kibibytes). */
export const ROBOTS_MAX_BYTES = 500 * 1024;
/** Longest a parsed robots.txt may be reused (RFC 9309 §2.4). */
export const ROBOTS_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** One allow/disallow line of the group that applies to us. */
export interface RobotsRule {
  allow: boolean;
  /** The path pattern, percent-encoding normalised. */
  pattern: string;
}

/** What robots.txt says for us. */
export interface RobotsPolicy {
  /** `rules`: decide per path; `allow-all` / `disallow-all`: from the status (§2.3.1). */
  kind: 'rules' | 'allow-all' | 'disallow-all';
  rules: RobotsRule[];
  /** Seconds between requests the site asks for (crawl-delay extension), or null. */
  crawlDelaySeconds: number | null;
  /** Why this policy, for the server's report, e.g. `status 404`, `parsed 12 rules`. */
  reason: string;
}

/** Normalise percent-encoding so `%7e`, `%7E` and `~` compare equal and non-ASCII is encoded (RFC 9309 §2.2.2). */
export function normalisePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i] ?? '';
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(path.slice(i + 1, i + 3))) {
      const code = Number.parseInt(path.slice(i + 1, i + 3), 16);
      const ch = String.fromCharCode(code);
      // Decode only unreserved characters (RFC 3986 §2.3); keep the rest encoded, upper case.
      out += /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${path.slice(i + 1, i + 3).toUpperCase()}`;
      i += 2;
    } else if (c.charCodeAt(0) > 0x7e || c.charCodeAt(0) < 0x21) {
      for (const b of Buffer.from(c, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** Does `pattern` (with `*` and a final `$`) match the start of `path`? Linear-time greedy matcher. */
export function patternMatches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith('$');
  const parts = (anchored ? pattern.slice(0, -1) : pattern).split('*');
  const first = parts[0] ?? '';
  if (!path.startsWith(first)) return false;
  let pos = first.length;
  if (parts.length === 1) return !anchored || pos === path.length;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const last = i === parts.length - 1;
    if (last && anchored) {
      // The final piece must end the path.
      return path.length - part.length >= pos && path.endsWith(part);
    }
    const at = path.indexOf(part, pos);
    if (at === -1) return false;
    pos = at + part.length;
  }
  return true;
}

/** Is the `user-agent` value about us? Compares its product token case-insensitively. */
function namesUs(value: string, token: string): boolean {
  const product = /^[A-Za-z_-]+/.exec(value.trim())?.[0] ?? '';
  return product.toLowerCase() === token.toLowerCase();
}

/**
 * Parse robots.txt text for `token`. Only the first {@link ROBOTS_MAX_BYTES} bytes are read.
 * @example isAllowed(parseRobots('User-agent: *\nDisallow: /private'), '/private/x') === false
 */
export function parseRobots(text: string, token: string = ROBOTS_TOKEN): RobotsPolicy {
  const bounded = Buffer.byteLength(text, 'utf8') > ROBOTS_MAX_BYTES ? Buffer.from(text, 'utf8').subarray(0, ROBOTS_MAX_BYTES).toString('utf8') : text;
  const mine: RobotsRule[] = [];
  const star: RobotsRule[] = [];
  let mineDelay: number | null = null;
  let starDelay: number | null = null;
  let named = false;
  // State of the group being read.
  let agents: string[] = [];
  let inRules = false;
  for (const raw of bounded.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent') {
      if (inRules) {
        agents = [];
        inRules = false;
      }
      agents.push(value);
      // A group naming us counts even with no rules: it then allows everything (RFC 9309 §5.1 "quxbot").
      if (namesUs(value, token)) named = true;
      continue;
    }
    if (key !== 'allow' && key !== 'disallow' && key !== 'crawl-delay') continue; // sitemap and unknown keys
    inRules = true;
    const forUs = agents.some((a) => namesUs(a, token));
    const forAll = agents.some((a) => a === '*');
    if (!forUs && !forAll) continue;
    if (key === 'crawl-delay') {
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds < 0) continue;
      if (forUs) mineDelay = Math.max(mineDelay ?? 0, seconds);
      if (forAll) starDelay = Math.max(starDelay ?? 0, seconds);
      continue;
    }
    // An empty disallow matches nothing (§2.2.2); patterns must start with / or *.
    if (value === '' || !(value.startsWith('/') || value.startsWith('*'))) continue;
    const rule: RobotsRule = { allow: key === 'allow', pattern: normalisePath(value) };
    if (forUs) mine.push(rule);
    if (forAll) star.push(rule);
  }
  const rules = named ? mine : star;
  return {
    kind: 'rules',
    rules,
    crawlDelaySeconds: named ? mineDelay : starDelay,
    reason: `parsed ${rules.length} rule(s) for ${named ? token : '*'}`,
  };
}

/**
 * The policy from how robots.txt was fetched (RFC 9309 §2.3.1). `redirectLimit`
 * is true when more than 5 redirects were met.
 */
export function robotsPolicyFromFetch(
  outcome: { status: number; bodyText: string } | { error: string; redirectLimit?: boolean },
  token: string = ROBOTS_TOKEN,
): RobotsPolicy {
  const none = { rules: [], crawlDelaySeconds: null };
  if ('error' in outcome) {
    // §2.3.1.2: too many redirects → unavailable; §2.3.1.4: unreachable → disallow all.
    return outcome.redirectLimit
      ? { kind: 'allow-all', ...none, reason: 'more than 5 redirects (RFC 9309 §2.3.1.2)' }
      : { kind: 'disallow-all', ...none, reason: `unreachable: ${outcome.error} (RFC 9309 §2.3.1.4)` };
  }
  const { status } = outcome;
  if (status >= 200 && status < 300) return parseRobots(outcome.bodyText, token);
  if (status === 429) return { kind: 'disallow-all', ...none, reason: 'status 429: treated as unreachable' };
  if (status >= 400 && status < 500) return { kind: 'allow-all', ...none, reason: `status ${status}: unavailable, no restrictions (RFC 9309 §2.3.1.3)` };
  return { kind: 'disallow-all', ...none, reason: `status ${status}: unreachable, complete disallow (RFC 9309 §2.3.1.4)` };
}

/** May `pathAndQuery` (e.g. `/_matrix/federation/v1/version`) be fetched under `policy`? */
export function isAllowed(policy: RobotsPolicy, pathAndQuery: string): boolean {
  if (pathAndQuery === '/robots.txt') return true; // §2.2.2: implicitly allowed
  if (policy.kind !== 'rules') return policy.kind === 'allow-all';
  const path = normalisePath(pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`);
  let best: RobotsRule | null = null;
  for (const rule of policy.rules) {
    if (!patternMatches(rule.pattern, path)) continue;
    // Most specific = longest pattern; on equal length, allow (least restrictive) wins.
    if (!best || rule.pattern.length > best.pattern.length || (rule.pattern.length === best.pattern.length && rule.allow && !best.allow)) best = rule;
  }
  return best === null || best.allow;
}
