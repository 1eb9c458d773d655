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
  /** The value resolved (a stale value is only served once it has). */
  settled: boolean;
  /** A background refresh of a stale value is under way. */
  refreshing: boolean;
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
  /**
   * Stale-while-revalidate: for this long after `ttlMs` the old value is still
   * returned at once while one background computation replaces it, so a
   * visitor never waits for a slow rollup read except on the very first load.
   * @default 0 (an expired value is recomputed before answering)
   */
  staleMs?: number;
}

/**
 * The value of `compute()` for (`scope`, `key`), reused for `ttlMs`. A failed
 * computation is forgotten at once, so an error is never cached.
 */
export function memo<T>(scope: object, key: string, compute: () => Promise<T>, options: MemoOptions = {}): Promise<T> {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.maxEntries ?? 200;
  const clock = options.now ?? Date.now;
  const now = clock();
  let cache = caches.get(scope);
  if (!cache) caches.set(scope, (cache = new Map()));
  const store = cache;
  const hit = store.get(key);
  if (hit && now - hit.at < ttl) return hit.value as Promise<T>;
  if (hit && hit.settled && now - hit.at < ttl + (options.staleMs ?? 0)) {
    if (!hit.refreshing) {
      hit.refreshing = true;
      const fresh = compute();
      fresh.then(
        () => {
          if (store.get(key) === hit) store.set(key, { at: now, value: fresh, settled: true, refreshing: false });
        },
        () => { hit.refreshing = false; },
      );
    }
    return hit.value as Promise<T>;
  }
  const value = compute();
  const entry: Entry = { at: now, value, settled: false, refreshing: false };
  store.delete(key);
  store.set(key, entry);
  value.then(
    () => { entry.settled = true; },
    () => { if (store.get(key) === entry) store.delete(key); },
  );
  while (store.size > max) store.delete(store.keys().next().value!);
  return value;
}

/**
 * How long the overview and software pages may show the previous computation
 * while a new one runs: their numbers change once per crawl pass (hourly).
 */
export const PAGE_STALE_MS = 6 * 3_600_000;
