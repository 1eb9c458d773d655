/**
 * A small in-process cache of read answers, with single-flight loading.
 *
 * Crawl data change at most once per pass, and the embedded engine runs one
 * query at a time, so ten clients asking for the same statistics would
 * otherwise queue ten identical queries. Entries live `ttlSeconds` (the same
 * freshness the Cache-Control header already promises), concurrent misses on
 * one key share one load, and memory is bounded by entry count and body size
 * (least recently used entries are dropped first).
 */
import { ifNoneMatchMatches } from './json-response.ts';

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** Entries kept at most. @default 256 */
  maxEntries?: number;
  /** Bodies larger than this are never cached, bytes. @default 524288 */
  maxBodyBytes?: number;
}

interface Entry {
  expires: number;
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

export class ResponseCache {
  readonly maxEntries: number;
  readonly maxBodyBytes: number;
  /** Entries in least-recently-used order (first = next to drop). */
  #entries = new Map<string, Entry>();
  /** Loads in progress per key: concurrent misses wait for the same one. */
  #loading = new Map<string, Promise<Entry | null>>();

  constructor(options: ResponseCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256;
    this.maxBodyBytes = options.maxBodyBytes ?? 512 * 1024;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Answer `request` from the cache under `key`, or run `load` once for all
   * concurrent callers and keep its answer when it is a 200 of a bounded size.
   * Conditional requests (If-None-Match) are answered from the cached ETag.
   */
  async respond(request: Request, key: string, ttlSeconds: number, now: number, load: () => Promise<Response>): Promise<Response> {
    let entry = this.#fresh(key, now);
    if (!entry) {
      let pending = this.#loading.get(key);
      if (!pending) {
        // The loader sees a request without If-None-Match, so it always produces the full entity.
        pending = this.#load(load, ttlSeconds, now).finally(() => this.#loading.delete(key));
        this.#loading.set(key, pending);
      }
      const loaded = await pending;
      if (!loaded) return load();
      entry = loaded;
      this.#store(key, entry);
    }
    return this.#toResponse(request, entry);
  }

  #fresh(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= now) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  async #load(load: () => Promise<Response>, ttlSeconds: number, now: number): Promise<Entry | null> {
    const response = await load();
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      return null;
    }
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > this.maxBodyBytes) return null;
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    return { expires: now + ttlSeconds * 1000, status: response.status, headers, body };
  }

  #store(key: string, entry: Entry): void {
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, entry);
  }

  #toResponse(request: Request, entry: Entry): Response {
    const headers = new Headers(entry.headers);
    const etag = headers.get('etag');
    if (etag && ifNoneMatchMatches(request.headers.get('if-none-match'), etag)) {
      headers.delete('content-type');
      return new Response(null, { status: 304, headers });
    }
    return new Response(request.method === 'HEAD' ? null : entry.body.slice(), { status: entry.status, headers });
  }
}
