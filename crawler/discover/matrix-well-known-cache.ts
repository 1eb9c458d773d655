/**
 * How long a `/.well-known/matrix/server` result is cached.
 *
 * Spec: Matrix Specification v1.16, Server-Server API §"Resolving server
 * names", step 3: "Servers should respect the cache control headers present
 * on the response, or use a sensible default when headers are not present.
 * The recommended sensible default is 24 hours. Servers should additionally
 * impose a maximum cache time for responses: 48 hours is recommended. Errors
 * are recommended to be cached for up to an hour".
 *
 * The cache itself is an lru-cache per NetContext (crawler/probe/matrix.ts);
 * crawler/discover/matrix-resolve.ts stores each result for the lifetime
 * {@link wellKnownTtlMs} gives it.
 */

/** Default lifetime of a valid answer without cache headers. @default 24 h */
export const WELL_KNOWN_DEFAULT_TTL_MS = 24 * 3600_000;
/** Longest lifetime whatever the headers say. @default 48 h */
export const WELL_KNOWN_MAX_TTL_MS = 48 * 3600_000;
/** Lifetime of an error (absent, invalid, unreachable). @default 1 h */
export const WELL_KNOWN_ERROR_TTL_MS = 3600_000;

/**
 * Lifetime of one answer from its `Cache-Control` / `Expires` headers.
 * `no-store`/`no-cache` → 0; `max-age` (then `Expires` − `Date`) capped at 48 h;
 * none → 24 h. Errors: min(headers, 1 h).
 */
export function wellKnownTtlMs(headers: Record<string, string>, ok: boolean, now: Date): number {
  const cap = ok ? WELL_KNOWN_MAX_TTL_MS : WELL_KNOWN_ERROR_TTL_MS;
  const fallback = ok ? WELL_KNOWN_DEFAULT_TTL_MS : WELL_KNOWN_ERROR_TTL_MS;
  const cc = (headers['cache-control'] ?? '').toLowerCase();
  if (/(^|[,\s])(no-store|no-cache)\b/.test(cc)) return 0;
  const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d{1,10})"?/.exec(cc);
  if (maxAge) return Math.min(Number(maxAge[1]) * 1000, cap);
  const expires = Date.parse(headers['expires'] ?? '');
  if (Number.isFinite(expires)) {
    const base = Date.parse(headers['date'] ?? '');
    const delta = expires - (Number.isFinite(base) ? base : now.getTime());
    return Math.max(0, Math.min(delta, cap));
  }
  return fallback;
}
