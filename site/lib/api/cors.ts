/**
 * CORS for the read-only API (https://fetch.spec.whatwg.org/#http-cors-protocol).
 *
 * GET answers carry public data and no credentials, so any origin may read
 * them. POST and PATCH (registrations) are deliberately not CORS-enabled:
 * another site's script must not submit registrations from a visitor's browser.
 */

/** Headers a browser script may read from our answers. */
const EXPOSED = 'ETag, Link, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';

/** Add the CORS headers of a simple cross-origin GET to `headers`. */
export function applyCors(headers: Headers): void {
  headers.set('access-control-allow-origin', '*');
  headers.set('access-control-expose-headers', EXPOSED);
}

/**
 * Answer an OPTIONS request: `Allow` lists the methods of the path (`allow`,
 * from the operation table: site/lib/api/allowed-methods.ts). As a CORS
 * preflight, only GET and HEAD are granted across origins; the request
 * headers a reader needs are If-None-Match and Accept.
 */
export function preflight(request: Request, allow: readonly string[]): Response {
  const headers = new Headers({ allow: allow.join(', ') });
  if (request.headers.get('origin') !== null && request.headers.get('access-control-request-method') !== null) {
    const wanted = (request.headers.get('access-control-request-method') ?? '').toUpperCase();
    if (wanted === 'GET' || wanted === 'HEAD') {
      headers.set('access-control-allow-origin', '*');
      headers.set('access-control-allow-methods', 'GET, HEAD, OPTIONS');
      headers.set('access-control-allow-headers', 'Accept, If-None-Match, Content-Type');
      headers.set('access-control-max-age', '86400');
    }
  }
  return new Response(null, { status: 204, headers });
}
