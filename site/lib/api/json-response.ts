/**
 * JSON responses with a strong ETag, conditional GET (RFC 9110 §13.1.2
 * If-None-Match → 304) and Cache-Control.
 */
import { createHash } from 'node:crypto';

/** Options of {@link jsonResponse}. */
export interface JsonResponseOptions {
  /** @default 200 */
  status?: number;
  /**
   * Seconds shared caches and browsers may reuse the body. Crawl data changes
   * at most once per pass, so a minute is safe and takes load off the store.
   * @default 60
   */
  maxAge?: number;
  /** Extra headers (Location, Link, ...). */
  headers?: HeadersInit;
  /** @default 'application/json; charset=utf-8' */
  contentType?: string;
}

/** A strong entity tag for a body: the first 128 bits of its SHA-256, base64url. */
export function strongEtag(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/**
 * Whether `If-None-Match` matches `etag`. RFC 9110 §13.1.2 uses the weak
 * comparison here, so `W/"x"` matches `"x"`; `*` matches any current entity.
 */
export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const value = header.trim();
  if (value === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const want = opaque(etag);
  // Entity tags cannot contain commas inside quotes (RFC 9110 §8.8.3 etagc), so a split is exact.
  return value.split(',').some((tag) => opaque(tag) === want);
}

/** Cache-Control for a public GET answer. */
export function cacheControl(maxAge: number): string {
  return maxAge > 0 ? `public, max-age=${maxAge}, stale-while-revalidate=${maxAge}` : 'no-cache';
}

/**
 * Serialise `data` and answer it, or answer 304 Not Modified when the
 * request's If-None-Match already names this body.
 */
export function jsonResponse(request: Request, data: unknown, options: JsonResponseOptions = {}): Response {
  const body = JSON.stringify(data);
  return entityResponse(request, body, { ...options, contentType: options.contentType ?? 'application/json; charset=utf-8' });
}

/** Like {@link jsonResponse} for an already-serialised body (SVG, text). */
export function entityResponse(request: Request, body: string, options: JsonResponseOptions & { contentType: string }): Response {
  const etag = strongEtag(body);
  const headers = new Headers(options.headers);
  headers.set('etag', etag);
  headers.set('cache-control', cacheControl(options.maxAge ?? 60));
  headers.set('vary', 'Accept-Encoding');
  headers.set('x-content-type-options', 'nosniff');
  const status = options.status ?? 200;
  const method = request.method.toUpperCase();
  if ((method === 'GET' || method === 'HEAD') && status === 200 && ifNoneMatchMatches(request.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set('content-type', options.contentType);
  // A known length: node:http then sends the answer as one write, without chunked framing and
  // the separate write of its last chunk (half the system calls of a small answer).
  headers.set('content-length', String(Buffer.byteLength(body)));
  return new Response(method === 'HEAD' ? null : body, { status, headers });
}
