/**
 * A small in-process cache of read answers, with single-flight loading.
 *
 * Crawl data change at most once per pass, and the embedded engine runs one
 * query at a time, so ten clients asking for the same statistics would
 * otherwise queue ten identical queries. Entries live `ttlSeconds` (the same
 * freshness the Cache-Control header already promises), concurrent misses on
 * one key share one load, and memory is bounded by entry count and body size
 * (least recently used entries are dropped first). The store, the shared
 * load and the eviction are lru-cache's (`fetch` with a `fetchMethod`).
 */
import { LRUCache } from 'lru-cache';
import { lruClock } from '../../../lib/lru-clock.ts';
import { ifNoneMatchMatches } from './json-response.ts';

/** Options of {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** Entries kept at most. @default 256 */
  maxEntries?: number;
  /** Bodies larger than this are never cached, bytes. @default 524288 */
  maxBodyBytes?: number;
}

interface Entry {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

/** A cached answer as plain parts, for a server that writes it without Fetch objects. */
export interface CachedAnswer {
  status: number;
  headers: [string, string][];
  /** `null` for HEAD and 304. */
  body: Uint8Array | null;
}

/** What of a request decides the answer from an entry: HEAD has no body, a matching If-None-Match is a 304. */
export interface ConditionalRequest {
  method: string;
  ifNoneMatch: string | null;
}

/** The key of `url`'s answer: its path and query string. */
export function responseCacheKey(url: URL): string {
  return `${url.pathname}?${url.searchParams}`;
}

/** The answer an entry gives `request`. */
function answerOf(request: ConditionalRequest, entry: Entry): CachedAnswer {
  const etag = entry.headers.find(([name]) => name === 'etag')?.[1];
  if (etag && ifNoneMatchMatches(request.ifNoneMatch, etag)) {
    return { status: 304, headers: entry.headers.filter(([name]) => name !== 'content-type'), body: null };
  }
  return { status: entry.status, headers: entry.headers, body: request.method === 'HEAD' ? null : entry.body };
}

/** The loader of one request, handed to `fetchMethod` as its context. */
type Load = () => Promise<Response>;

export class ResponseCache {
  readonly maxEntries: number;
  readonly maxBodyBytes: number;
  /**
   * The cache's clock: the request time (`now`) of the latest call, so tests
   * move it instead of waiting. An entry's TTL counts from when its load
   * ended, read on this clock.
   */
  #now = 0;
  /** Entries in least-recently-used order; a load in progress is the key's entry until it ends. */
  #entries: LRUCache<string, Entry, Load>;

  constructor(options: ResponseCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256;
    this.maxBodyBytes = options.maxBodyBytes ?? 512 * 1024;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries > 0)) throw new RangeError(`ResponseCache: maxEntries must be a whole number above 0, got ${JSON.stringify(options.maxEntries)}`);
    this.#entries = new LRUCache<string, Entry, Load>({
      max: this.maxEntries,
      // undefined (an answer not to keep) leaves nothing in the cache; each waiting caller then loads its own.
      fetchMethod: async (_key, _stale, { context }) => this.#load(context),
      ...lruClock(() => this.#now),
    });
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
    // lru-cache reads a ttl of 0 as "never expires".
    if (!(ttlSeconds > 0)) return load();
    this.#now = now;
    // The loader sees a request without If-None-Match, so it always produces the full entity.
    const entry = await this.#entries.fetch(key, { ttl: ttlSeconds * 1000, context: load });
    if (!entry) return load();
    return this.#toResponse(request, entry);
  }

  /**
   * The fresh answer under `key` for `request`, or `undefined` when there is
   * none (never cached, expired, or still loading). Never loads: a server can
   * answer hits this way and send everything else down the route.
   */
  peek(request: ConditionalRequest, key: string, now: number): CachedAnswer | undefined {
    this.#now = now;
    const entry = this.#entries.get(key);
    return entry ? answerOf(request, entry) : undefined;
  }

  async #load(load: Load): Promise<Entry | undefined> {
    const response = await load();
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      return undefined;
    }
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > this.maxBodyBytes) return undefined;
    const headers: [string, string][] = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    return { status: response.status, headers, body };
  }

  #toResponse(request: Request, entry: Entry): Response {
    const answer = answerOf({ method: request.method, ifNoneMatch: request.headers.get('if-none-match') }, entry);
    return new Response(answer.body?.slice() ?? null, { status: answer.status, headers: answer.headers });
  }
}
