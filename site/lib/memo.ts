/**
 * A small time-bounded cache for page data that is expensive to compute and
 * changes at most once per crawl (the overview's and software pages' rollup
 * reads). Concurrent requests for the same key share one computation, so a
 * burst of visitors runs the queries once. Keyed per store (WeakMap), so two
 * stores in one process (tests) never see each other's values.
 *
 * Built on lru-cache's `fetch`: it shares one computation per key, serves a
 * stale value while one background computation replaces it (`allowStale`),
 * and drops the least recently used key beyond the bound. What it lacks is
 * an end to staleness; memo asks for a fresh value once an entry's age passes
 * `ttlMs + staleMs`.
 */
import { LRUCache } from 'lru-cache';
import { lruClock } from '../../lib/lru-clock.ts';

/** Options of {@link memo}. */
export interface MemoOptions {
  /** How long a value is reused, in ms (lru-cache's TTL: fresh while its age is at most this). @default 60_000 */
  ttlMs?: number;
  /**
   * Most keys kept per store; the least recently used is dropped first. Calls
   * with different bounds on one store keep separate caches, so the room
   * search's many keys never push out the overview.
   * @default 200
   */
  maxEntries?: number;
  /** The clock, read by the store's cache at this call and when a computation it started ends. @default Date.now */
  now?: () => number;
  /**
   * Stale-while-revalidate: for this long after `ttlMs` the old value is still
   * returned at once while one background computation replaces it, so a
   * visitor never waits for a slow rollup read except on the very first load.
   * A failed refresh keeps the old value for the rest of this window.
   * @default 0 (an expired value is recomputed before answering)
   */
  staleMs?: number;
}

/** One computed value; boxed because lru-cache reads `undefined` as "not there". */
interface Box {
  value: unknown;
}

/** The computation of one call, handed to `fetchMethod` as its context. */
type Compute = () => Promise<unknown>;

/** One store's cache at one bound, with the clock of its latest call. */
interface Scoped {
  lru: LRUCache<string, Box, Compute>;
  clock: () => number;
}

/** Per store, per `maxEntries`. */
const caches = new WeakMap<object, Map<number, Scoped>>();

function scoped(scope: object, max: number): Scoped {
  let byMax = caches.get(scope);
  if (!byMax) caches.set(scope, (byMax = new Map()));
  let cache = byMax.get(max);
  if (!cache) {
    const made: Scoped = {
      clock: Date.now,
      lru: new LRUCache<string, Box, Compute>({
        max,
        fetchMethod: async (_key, _stale, { context }) => ({ value: await context() }),
        ...lruClock(() => made.clock()),
      }),
    };
    byMax.set(max, (cache = made));
  }
  return cache;
}

/**
 * The value of `compute()` for (`scope`, `key`), reused for `ttlMs`. A failed
 * computation is forgotten at once, so an error is never cached.
 * @throws {RangeError} when `ttlMs`, `staleMs` or `maxEntries` is out of range (the value is quoted).
 */
export async function memo<T>(scope: object, key: string, compute: () => Promise<T>, options: MemoOptions = {}): Promise<T> {
  const ttl = options.ttlMs ?? 60_000;
  const staleMs = options.staleMs ?? 0;
  const max = options.maxEntries ?? 200;
  // lru-cache reads a ttl of 0 as "never expires", and a bound of 0 as "no bound".
  if (!(Number.isInteger(ttl) && ttl > 0)) throw new RangeError(`memo: ttlMs must be a whole number of ms above 0, got ${JSON.stringify(ttl)}`);
  if (!(staleMs >= 0)) throw new RangeError(`memo: staleMs must be 0 or more, got ${JSON.stringify(staleMs)}`);
  if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`memo: maxEntries must be a whole number above 0, got ${JSON.stringify(max)}`);
  const cache = scoped(scope, max);
  cache.clock = options.now ?? Date.now;
  // Remaining TTL: negative once stale, 0 with no entry. Stale but within `staleMs`: the old value is
  // served while one refresh runs; past that, the caller waits for a new value.
  const remaining = cache.lru.getRemainingTTL(key);
  const allowStale = remaining < 0 && remaining >= -staleMs;
  const box = await cache.lru.fetch(key, {
    ttl,
    context: compute,
    allowStale,
    // A failed refresh puts the stale value back instead of dropping it. Never without one: lru-cache
    // would then resolve a failed first computation to undefined instead of rejecting.
    allowStaleOnFetchRejection: allowStale,
  });
  return box!.value as T;
}

/**
 * How long the overview and software pages may show the previous computation
 * while a new one runs: their numbers change once per crawl pass (hourly).
 */
export const PAGE_STALE_MS = 6 * 3_600_000;
