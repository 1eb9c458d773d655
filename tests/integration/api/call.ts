/**
 * Test helper: call an Astro route function the way @astrojs/node does, with
 * a Request, path params and the client address.
 */
import type { RouteContext } from '../../../site/lib/api/route.ts';

type Route = (ctx: RouteContext) => Promise<Response>;

/** Options of {@link call}. */
export interface CallOptions {
  method?: string;
  params?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  client?: string;
}

/** Call `route` for `path` (query included) and return the response. */
export function call(route: Route | undefined, path: string, options: CallOptions = {}): Promise<Response> {
  if (!route) throw new Error(`no handler for ${path}`);
  const headers = new Headers(options.headers);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const request = new Request(`http://127.60.0.1${path}`, { method: options.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  return route({ request, params: options.params ?? {}, clientAddress: options.client ?? '127.60.0.200' });
}
