/**
 * `fetchBounded`: the only way the crawler makes HTTP requests. Redirects
 * are followed by hand so each hop is checked (scheme, https → http
 * downgrade, count, loops) and connects through the guarded agent; the body
 * is read up to a byte cap; the whole exchange has one deadline.
 *
 * Politeness: each hop runs in a slot of its URL's host (`ctx.politeness`,
 * crawler/policy/politeness.ts), from sending the request to the last body
 * byte, so per host at most `perHostConcurrency` requests are in flight and
 * their starts are `perHostIntervalMs` apart, whatever the origin (port) and
 * whoever the caller. A 429/503 pauses its host for its Retry-After; a
 * robots.txt read through here sets its host's crawl-delay. The wait for a
 * slot counts against the exchange's deadline; a pause longer than what is
 * left of it fails at once with `policy.rate-limited` (retryable).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { ProbeError } from '../errors.ts';
import type { NetContext } from './context.ts';
import { withDeadline } from './deadline.ts';
import { toProbeError } from './to-probe-error.ts';
import { unbracket } from './guarded-lookup.ts';
import type { BudgetTicket } from './request-budget.ts';
import { asksToPause } from '../policy/politeness.ts';

export { createHttpAgent, type HttpAgent, type HttpScope } from './http-agent.ts';

/** Options of {@link fetchBounded}. */
export interface FetchOptions {
  /** @default 'GET' */
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'OPTIONS';
  /**
   * Extra request headers. `user-agent` is always ours. A `host` header also
   * sets the TLS SNI and the certificate name checked (undici derives the
   * servername from it): connect to `https://<srv-target>:8448` while naming
   * the Matrix server. Caller headers are dropped after a cross-origin redirect.
   */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Body byte cap; more is `http.too-large`. Cannot exceed config.maxBodyBytes (the agent's hard cap). @default config.maxBodyBytes */
  maxBytes?: number;
  /** Deadline of the whole exchange, redirects included. @default config.stepTimeoutMs */
  timeoutMs?: number;
  /** @default config.maxRedirects */
  maxRedirects?: number;
  /** Sets the `Accept` header, e.g. `application/json`. */
  accept?: string;
  /** Aborts the exchange (e.g. the probe's deadline). */
  signal?: AbortSignal;
  /** The connections to use: a probe's own (`ctx.http.scope()`). @default the context's shared agent */
  dispatcher?: Dispatcher;
  /**
   * The probe's budget for this step (crawler/net/request-budget.ts): one request is
   * taken before each hop, redirects included; a spent budget fails with
   * `policy.budget-exhausted` before anything is sent. A 429/503 with Retry-After
   * lowers the budget of the server it is about. @default none: not counted
   */
  budget?: BudgetTicket;
}

/** One redirect hop taken. */
export interface RedirectHop {
  url: string;
  status: number;
  location: string;
}

/** A response read within its limits. Non-2xx statuses are results, not errors. */
export interface FetchResult {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body decoded as UTF-8 (invalid bytes replaced). */
  bodyText: string;
  bodyBytes: number;
  finalUrl: string;
  redirects: RedirectHop[];
  durationMs: number;
  /** The address connected to for the final hop, or '' when unknown. */
  remoteAddress: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseHttpUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text);
  } catch {
    throw new ProbeError(base ? 'http.redirect-forbidden' : 'http.protocol', `not a URL: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProbeError(base ? 'http.redirect-forbidden' : 'http.protocol', `scheme ${url.protocol} is not http(s): ${url.href.slice(0, 200)}`);
  }
  if (url.username || url.password) throw new ProbeError(base ? 'http.redirect-forbidden' : 'http.protocol', 'URLs with credentials are refused');
  url.hash = '';
  return url;
}

/**
 * Fetch `url` through the context's guarded agent, within its limits.
 * @throws {ProbeError} `http.timeout`, `http.too-large`, `http.redirect-limit`,
 *   `http.redirect-forbidden`, `net.*` (incl. `net.forbidden-address`), `dns.*`, `tls.*`.
 * @example const res = await fetchBounded(ctx, 'https://example.org/.well-known/matrix/server', { accept: 'application/json' })
 */
export async function fetchBounded(ctx: NetContext, url: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const { config } = ctx;
  const maxBytes = opts.maxBytes ?? config.maxBodyBytes;
  const maxRedirects = opts.maxRedirects ?? config.maxRedirects;
  const timeoutMs = opts.timeoutMs ?? config.stepTimeoutMs;
  const started = performance.now();
  return withDeadline(async (signal) => {
    let current = parseHttpUrl(url);
    let method: string = opts.method ?? 'GET';
    let body = opts.body;
    const redirects: RedirectHop[] = [];
    const seen = new Set<string>([current.href]);
    const first = current;
    for (;;) {
      const hopUrl = current;
      const host = unbracket(hopUrl.hostname);
      // What is left of the deadline bounds the politeness wait (fail fast rather than sleep into it).
      const left = Math.max(0, timeoutMs - (performance.now() - started));
      opts.budget?.take('http');
      const hop = await ctx.politeness.run(host, () => sendHop(ctx, hopUrl, first, method, body, opts, maxBytes, signal), { signal, maxWaitMs: left });
      ctx.politeness.noteResponse(host, hop.status, hop.headers['retry-after'] ?? null);
      // Asked to slow down: the server's budget is lowered too, not only this host paused.
      if (opts.budget && asksToPause(hop.status) && hop.headers['retry-after']) ctx.budget.noteRateLimited(opts.budget.server);
      if (hop.kind === 'redirect') {
        if (redirects.length >= maxRedirects) {
          throw new ProbeError('http.redirect-limit', `more than ${maxRedirects} redirects from ${url.slice(0, 200)}`);
        }
        const next = parseHttpUrl(hop.location, current);
        if (current.protocol === 'https:' && next.protocol === 'http:') {
          throw new ProbeError('http.redirect-forbidden', `redirect from https to http refused: ${next.href.slice(0, 200)}`);
        }
        if (seen.has(next.href)) throw new ProbeError('http.redirect-limit', `redirect loop at ${next.href.slice(0, 200)}`);
        seen.add(next.href);
        redirects.push({ url: current.href, status: hop.status, location: hop.location });
        // RFC 9110 §15.4: 303 always becomes GET; 301/302 after POST do so in practice.
        if (hop.status === 303 || ((hop.status === 301 || hop.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
        }
        current = next;
        continue;
      }
      return {
        status: hop.status,
        headers: hop.headers,
        bodyText: hop.bodyText,
        bodyBytes: hop.bodyBytes,
        finalUrl: current.href,
        redirects,
        durationMs: Math.round(performance.now() - started),
        remoteAddress: ctx.http.lastAddress(current.origin) ?? '',
      };
    }
  }, timeoutMs, 'http.timeout', opts.signal);
}

/** One hop's outcome: a redirect to follow, or the final response read within its cap. */
type Hop =
  | { kind: 'redirect'; status: number; headers: Record<string, string>; location: string }
  | { kind: 'final'; status: number; headers: Record<string, string>; bodyText: string; bodyBytes: number };

/** Send one request and read its answer (run inside the host's politeness slot). */
async function sendHop(
  ctx: NetContext, current: URL, first: URL, method: string, body: string | Uint8Array | undefined,
  opts: FetchOptions, maxBytes: number, signal: AbortSignal,
): Promise<Hop> {
  // Caller headers (Host, credentials-like values) belong to the first origin only.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(current.origin === first.origin ? opts.headers ?? {} : {})) {
    if (name.toLowerCase() !== 'user-agent') headers[name.toLowerCase()] = value;
  }
  headers['user-agent'] = ctx.config.userAgent;
  if (opts.accept) headers.accept = opts.accept;
  let response;
  try {
    response = await (opts.dispatcher ?? ctx.http.dispatcher).request({
      origin: current.origin,
      path: `${current.pathname}${current.search}`,
      method: method as 'GET',
      headers,
      body: body === undefined ? null : body,
      signal,
    });
  } catch (error) {
    throw signal.aborted ? toProbeError(signal.reason, 'http.timeout') : toProbeError(error, 'net.reset');
  }
  const location = response.headers.location;
  if (REDIRECTS.has(response.statusCode) && typeof location === 'string' && location !== '') {
    // The redirect's own body is never wanted; drain a little so the connection can be reused.
    await response.body.dump({ limit: 64 * 1024 }).catch(() => {});
    return { kind: 'redirect', status: response.statusCode, headers: flatten(response.headers), location };
  }
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new ProbeError('http.too-large', `${current.href.slice(0, 200)} declares ${declared} bytes, over the ${maxBytes}-byte cap`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response.body) {
      received += (chunk as Buffer).length;
      if (received > maxBytes) {
        response.body.destroy();
        throw new ProbeError('http.too-large', `${current.href.slice(0, 200)} sent more than the ${maxBytes}-byte cap`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw signal.aborted ? toProbeError(signal.reason, 'http.timeout') : toProbeError(error, 'net.reset');
  }
  return {
    kind: 'final',
    status: response.statusCode,
    headers: flatten(response.headers),
    bodyText: new TextDecoder('utf-8').decode(Buffer.concat(chunks)),
    bodyBytes: received,
  };
}
