/**
 * An injectable clock for lru-cache (https://github.com/isaacs/node-lru-cache),
 * the one cache library of Chatlas: the DNS answer cache, the page memo and the
 * API response cache take a clock so their tests move time instead of waiting.
 */
import type { Perf } from 'lru-cache';

/** The lru-cache constructor options that put a cache on `now`. */
export interface LruClockOptions {
  perf: Perf;
  ttlResolution: 0;
}

/**
 * lru-cache options that read `now()` (milliseconds) as the cache's clock.
 *
 * Two traps of lru-cache 11 with a clock other than its own `performance.now()`:
 * - an entry stored when the clock reads 0 never expires (a start time of 0
 *   means "no TTL" in its tables), so the clock is shifted by 1 ms: a test
 *   clock may start at 0;
 * - `ttlResolution` (default 1 ms of real time) reuses one clock reading for
 *   that long, so a test clock moved twice within a millisecond would be read
 *   once; 0 reads the clock at every check.
 *
 * Freshness is lru-cache's: an entry is fresh while its age is at most its TTL.
 *
 * @example new LRUCache<string, Answer>({ max: 10_000, ...lruClock(Date.now) })
 */
export function lruClock(now: () => number): LruClockOptions {
  return { perf: { now: () => now() + 1 }, ttlResolution: 0 };
}
