/**
 * A small time-bounded cache for page data that is expensive to compute and
 * changes at most once per crawl (the overview's and software pages' rollup
 * reads). Concurrent requests for the same key share one computation, so a
 * burst of visitors runs the queries once. Keyed per store (WeakMap), so two
 * stores in one process (tests) never see each other's values.
 */

interface Entry {
  at: number;
  value: Promise<unknown>;
}

const caches = new WeakMap<object, Map<string, Entry>>();

/** Options of {@link memo}. */
export interface MemoOptions {
  /** How long a value is reused, in ms. @default 60_000 */
  ttlMs?: number;
  /** Most keys kept per store; the oldest entry is dropped first. @default 200 */
  maxEntries?: number;
  /** The clock. @default Date.now */
  now?: () => number;
}

/**
 * The value of `compute()` for (`scope`, `key`), reused for `ttlMs`. A failed
 * computation is forgotten at once, so an error is never cached.
 */
export function memo<T>(scope: object, key: string, compute: () => Promise<T>, options: MemoOptions = {}): Promise<T> {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.maxEntries ?? 200;
  const now = (options.now ?? Date.now)();
  let cache = caches.get(scope);
  if (!cache) caches.set(scope, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && now - hit.at < ttl) return hit.value as Promise<T>;
  const value = compute();
  cache.delete(key);
  cache.set(key, { at: now, value });
  value.catch(() => {
    if (cache.get(key)?.value === value) cache.delete(key);
  });
  while (cache.size > max) cache.delete(cache.keys().next().value!);
  return value;
}
