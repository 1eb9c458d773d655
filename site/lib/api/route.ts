/**
 * The one wrapper every API route goes through: rate limit per client,
 * CORS on reads, a problem response for anything unexpected, and the
 * dependencies handed to the handler. Route files stay three lines long.
 */
import { apiDeps, type ApiDeps } from './deps.ts';
import { applyCors, preflight } from './cors.ts';
import { allowedMethods } from './allowed-methods.ts';
import { problem } from './problem.ts';
import { clientKey, rateLimitHeaders, type RateDecision } from './rate-limiter.ts';
import { responseCacheKey } from './response-cache.ts';
import { requestClientAddress } from './request-client-address.ts';

/** The part of Astro's APIContext the API uses (tests build it by hand). */
export interface RouteContext {
  request: Request;
  params: Record<string, string | undefined>;
  /** Client address; Astro's getter throws when the adapter cannot tell. */
  clientAddress?: string;
  /** Astro's locals; jobs/serve/server.ts puts the resolved client address there. */
  locals?: object;
}

/** A route's logic, given validated context and the dependencies. */
export type RouteHandler = (ctx: RouteContext, deps: ApiDeps, client: string) => Promise<Response> | Response;

/** What the wrapper returns: an Astro `APIRoute`-compatible function. */
export type RouteFunction = (ctx: RouteContext) => Promise<Response>;

/** Options of {@link apiRoute}. */
export interface ApiRouteOptions {
  /**
   * Keep 200 answers this many seconds in the process (per URL), when the
   * deps carry a ResponseCache. Match it to the route's Cache-Control.
   * @default 0 (no caching)
   */
  cacheSeconds?: number;
}

/**
 * Wrap a handler. `kind: 'read'` routes (GET) are CORS-enabled and use the
 * read bucket; `write` routes (POST, PATCH) use the write bucket and no CORS.
 */
export function apiRoute(kind: 'read' | 'write', handler: RouteHandler, options: ApiRouteOptions = {}): RouteFunction {
  return async (ctx) => {
    let deps: ApiDeps;
    try {
      deps = await apiDeps();
    } catch (error) {
      console.error('chatlas api: not configured', error);
      return problem('unavailable', 'the API store is not available; try again later', { headers: { 'retry-after': '30' } });
    }
    const client = clientKey(requestClientAddress(ctx));
    const limiter = kind === 'read' ? deps.readLimiter : deps.writeLimiter;
    const decision = limiter.take(client, deps.now().getTime());
    let response: Response;
    if (!decision.allowed) {
      response = problem('rate-limited', `this client sent too many ${kind === 'read' ? 'requests' : 'write requests'}; retry after ${decision.retryAfterSeconds} s`);
    } else {
      try {
        const cache = deps.responseCache;
        const ttl = options.cacheSeconds ?? 0;
        if (cache && ttl > 0 && (ctx.request.method === 'GET' || ctx.request.method === 'HEAD')) {
          const url = new URL(ctx.request.url);
          // The loader runs on a plain GET of the same URL, so the cached entity is always complete.
          // Built field by field, not by spreading Astro's context: a spread runs every getter
          // (csp, cookies, session, ...) on every request, and the handler reads only these.
          const plain: RouteContext = { request: new Request(url, { method: 'GET' }), params: ctx.params, ...(ctx.locals ? { locals: ctx.locals } : {}) };
          response = await cache.respond(ctx.request, responseCacheKey(url), ttl, deps.now().getTime(), async () => handler(plain, deps, client));
        } else {
          response = await handler(ctx, deps, client);
        }
      } catch (error) {
        (deps.log ?? ((m, e) => console.error(m, e)))(`chatlas api: ${ctx.request.method} ${new URL(ctx.request.url).pathname} failed`, error);
        response = problem('internal', 'the request failed on our side; it has been logged');
      }
    }
    // Responses built by `new Response` may have immutable headers (Response.redirect); copy when needed.
    const headers = new Headers(response.headers);
    finishHeaders(headers, decision, kind);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

/** Content-Security-Policy of every API answer. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * What every API answer carries besides its own headers: the rate limit,
 * CORS on reads, and the API's policy. Also applied by cached-answer.ts, so
 * an answer from the cache is the route's answer.
 */
export function finishHeaders(headers: Headers, decision: RateDecision, kind: 'read' | 'write'): void {
  rateLimitHeaders(decision, headers);
  if (kind === 'read') applyCors(headers);
  // The site's pages get their policy from Astro (astro.config.mjs security.csp). An API answer
  // is data, never a page: opened directly (an SVG badge, a JSON error) it may load and run
  // nothing, and no site may frame it.
  headers.set('content-security-policy', API_CSP);
}

/** The OPTIONS export of every route: Allow from the operation table, CORS preflight for reads. */
export const optionsRoute: RouteFunction = async (ctx) => {
  const allow = allowedMethods(new URL(ctx.request.url).pathname) ?? ['GET', 'HEAD', 'OPTIONS'];
  return preflight(ctx.request, allow);
};
