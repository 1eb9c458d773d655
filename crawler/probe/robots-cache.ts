/**
 * robots.txt per origin, one cache per NetContext (RFC 9309 §2.4: reused for
 * at most 24 h), shared by everything that reads robots.txt through that
 * context: the Matrix probe before its requests (crawler/probe/matrix-http.ts)
 * and the crawl's opt-out gate (registration/ownership-net.ts), which
 * reads `https://<domain>/robots.txt` before a domain's probes. Where the
 * probe's origin is that same one (the client API on the domain itself), it
 * finds the gate's fetch here instead of fetching robots.txt a second time.
 * Other origins (the federation port, a delegated host) are their own files.
 */
import { LRUCache } from 'lru-cache';
import type { Dispatcher } from 'undici';
import { ProbeError } from '../errors.ts';
import type { NetContext } from '../net/context.ts';
import { fetchBounded } from '../net/http.ts';
import { unbracket } from '../net/guarded-lookup.ts';
import type { BudgetTicket } from '../net/request-budget.ts';
import { robotsPolicyFromFetch, ROBOTS_MAX_AGE_MS, ROBOTS_MAX_BYTES, type RobotsPolicy } from '../policy/robots.ts';

/** Where robots.txt is read: `https://host:port` connected to, and the `Host` header ('' = the URL's). */
export interface RobotsOrigin {
  base: string;
  host: string;
}

/** One fetch of robots.txt. */
export interface RobotsFetch {
  /** The policy; null when the origin could not be reached (nothing cached: asked again next time). */
  policy: RobotsPolicy | null;
  /** The response, when there was one, for readers that need the text itself (an opt-out group). */
  response: { status: number; bodyText: string } | null;
  /** Why there is no response. */
  error: ProbeError | null;
}

/** Policies per NetContext, each kept {@link ROBOTS_MAX_AGE_MS} on lru-cache's own monotonic clock. */
const caches = new WeakMap<NetContext, LRUCache<string, RobotsPolicy>>();
/** Origins whose policy one context keeps (least recently used dropped first). */
const ROBOTS_CACHE_ENTRIES = 10_000;

/** Codes that mean "could not talk to the origin at all" (so robots.txt says nothing). */
export function isUnreachable(code: string): boolean {
  return code.startsWith('net.') || code.startsWith('dns.') || code.startsWith('tls.');
}

function hostOf(origin: RobotsOrigin): string {
  return origin.host || new URL(origin.base).host;
}

/** The cache key: names the same site whether the Host header is explicit or implied by the URL. */
export function robotsKey(origin: RobotsOrigin): string {
  return `${origin.base}|${hostOf(origin).replace(/:\d+$/, '')}`;
}

function cacheOf(ctx: NetContext): LRUCache<string, RobotsPolicy> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new LRUCache<string, RobotsPolicy>({ max: ROBOTS_CACHE_ENTRIES, ttl: ROBOTS_MAX_AGE_MS });
    caches.set(ctx, cache);
  }
  return cache;
}

/** The policy of `origin` fetched through `ctx` within the last 24 h, if any. */
export function cachedRobots(ctx: NetContext, origin: RobotsOrigin): RobotsPolicy | undefined {
  return cacheOf(ctx).get(robotsKey(origin));
}

/**
 * Fetch robots.txt of `origin` now (RFC 9309: up to 500 KiB, 5 redirects) and keep its policy
 * for the next 24 h; an unreachable origin (network, DNS, TLS, timeout) is not kept.
 */
export async function fetchRobots(ctx: NetContext, origin: RobotsOrigin, opts: { signal: AbortSignal; dispatcher?: Dispatcher; budget?: BudgetTicket }): Promise<RobotsFetch> {
  let out: RobotsFetch;
  try {
    const res = await fetchBounded(ctx, `${origin.base}/robots.txt`, {
      headers: { host: hostOf(origin) }, maxBytes: ROBOTS_MAX_BYTES, maxRedirects: 5, signal: opts.signal,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      ...(opts.budget ? { budget: opts.budget } : {}),
    });
    const response = { status: res.status, bodyText: res.bodyText };
    out = { policy: robotsPolicyFromFetch(response), response, error: null };
    // A robots.txt read sets the crawl-delay of the host it was asked of (RFC 9309 has no crawl-delay;
    // crawler/policy/robots.ts reads it as the common extension). Done here, not in net/http.ts: the
    // network layer moves bytes and never interprets them.
    if (res.status >= 200 && res.status < 300) ctx.politeness.setCrawlDelay(unbracket(new URL(origin.base).hostname), out.policy!.crawlDelaySeconds);
  } catch (error) {
    const e = ProbeError.from(error);
    if (e.code === 'http.redirect-limit') out = { policy: robotsPolicyFromFetch({ error: e.message, redirectLimit: true }), response: null, error: e };
    // Our own budget refusing the fetch says nothing of the server's robots.txt: never cached as its policy.
    else if (isUnreachable(e.code) || e.code === 'http.timeout' || e.code === 'policy.budget-exhausted') return { policy: null, response: null, error: e };
    else out = { policy: robotsPolicyFromFetch({ error: e.message }), response: null, error: e };
  }
  cacheOf(ctx).set(robotsKey(origin), out.policy!);
  return out;
}
