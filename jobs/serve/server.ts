/**
 * The HTTP server of `chatlas serve` (and `chatlas demo`, and the browser
 * tests): node:http in front of the built Astro app.
 *
 * - `/metrics`: Prometheus text from the given prom-client registry.
 * - static files from dist/client (hashed `/_astro/*` assets, prerendered pages);
 * - everything else: the Astro handler (`dist/server/entry.mjs`, @astrojs/node
 *   in middleware mode), which renders pages and API routes on demand.
 *
 * The open store reaches pages through site/lib/store.ts (`setStore`), which
 * keeps it on `globalThis`: the bundled pages hold their own copy of that
 * module, so a module-level variable would not be shared. Anything else the
 * bundle needs at run time (the API's dependencies) must be handed over the
 * same way; `configure` runs before the first request for that purpose.
 *
 * The client address (the TCP peer, or the client named by a trusted proxy's
 * X-Forwarded-For: jobs/serve/client-address.ts) is resolved here, once per
 * request, and handed to Astro in `locals` (CLIENT_ADDRESS_LOCAL)
 * (site/lib/api/request-client-address.ts reads it). Astro's own `clientAddress` is
 * not used: it believes the leftmost X-Forwarded-For whenever
 * `security.allowedDomains` matches, whoever sent it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Db } from '../../db/client.ts';
import { setStore } from '../../site/lib/store.ts';
import { CLIENT_ADDRESS_LOCAL } from '../../site/lib/api/request-client-address.ts';
import { methodNotAllowed } from '../../site/lib/api/allowed-methods.ts';
import { cachedAnswer } from '../../site/lib/api/cached-answer.ts';
import { parseTrustedProxies, resolveClientAddress } from './client-address.ts';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** The open (migrated) store pages and API routes read. */
  db: Db;
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @default 8080 */
  port?: number;
  logger?: Logger;
  /** Stopped when the server closes (the crawl scheduler of `chatlas serve`). */
  scheduler?: { stop(): Promise<void> | void };
  /**
   * The Matrix federation endpoints (`/_matrix/…`, `/.well-known/matrix/server`) when Chatlas has a
   * federation identity (jobs/serve/federation-endpoint.ts); it returns false for other paths.
   */
  federation?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Served at `/metrics` when given. */
  metrics?: Registry;
  /** The Astro build. @default <repo>/dist */
  distDir?: string;
  /** Runs once before listening, e.g. to install the API's dependencies. */
  configure?: (db: Db) => void | Promise<void>;
  /**
   * Reverse proxies (IPs, CIDRs) whose X-Forwarded-For names the client
   * (CHATLAS_TRUSTED_PROXIES). Empty: the TCP peer is the client.
   * @default []
   */
  trustedProxies?: readonly string[];
}

/** A listening server. */
export interface RunningServer {
  server: Server;
  /** `http://host:port` */
  url: string;
  port: number;
  /** Stop accepting, close open connections, stop the scheduler; the store stays open (its owner closes it). */
  close(): Promise<void>;
}

/** Methods the Fetch API can represent (and so Astro can handle). */
const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type AstroHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void, locals?: object) => Promise<void>;

const ROOT = new URL('../..', import.meta.url).pathname;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8', '.woff2': 'font/woff2', '.webp': 'image/webp', '.xml': 'application/xml',
};

/**
 * Headers Astro computed for the prerendered pages, by route pathname: their
 * Content-Security-Policy (astro.config.mjs `security.csp`, with the hashes of
 * their inline scripts and styles), which the adapter's `staticHeaders`
 * writes to dist/_headers.json instead of a <meta> element. On-demand pages
 * get theirs from Astro itself; the API sets its own (site/lib/api/route.ts).
 */
function readStaticHeaders(dist: string): Map<string, [string, string][]> {
  let text: string;
  try {
    text = readFileSync(join(dist, '_headers.json'), 'utf8');
  } catch (error) {
    // A build without prerendered pages writes no file.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const entries = JSON.parse(text) as { pathname: string; headers: { key: string; value: string }[] }[];
  return new Map(entries.map((e) => [e.pathname, e.headers.map((h) => [h.key, h.value] as [string, string])]));
}

/**
 * Serve the built site and API over `db`.
 * @throws when dist/server/entry.mjs is missing (run `npm run build`), or the port is taken;
 *   TypeError quoting a trusted proxy entry that is not an IP or CIDR.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const trusted = parseTrustedProxies(options.trustedProxies ?? []);
  const dist = resolve(options.distDir ?? join(ROOT, 'dist'));
  const client = join(dist, 'client');
  const staticFiles = indexStatic(client);
  const staticHeaders = readStaticHeaders(dist);
  let handler: AstroHandler;
  try {
    ({ handler } = (await import(pathToFileURL(join(dist, 'server', 'entry.mjs')).href)) as { handler: AstroHandler });
  } catch (error) {
    throw new Error(`the site is not built at ${dist} (run: npm run build): ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  setStore(options.db);
  await options.configure?.(options.db);
  const log = options.logger;

  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
    // One line per request only when asked (--log-level debug): at info a busy server's log
    // would be nothing else. The query string is left out (it may carry a registration token).
    if (log?.isLevelEnabled('debug')) {
      const started = performance.now();
      res.once('finish', () => log.debug({ method: req.method, path: (req.url ?? '/').split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request'));
    }
    handle(req, res).catch((error: unknown) => {
      log?.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal error\n');
      } else {
        res.destroy();
      }
    });
  });
  // Bounded waits for slow or idle clients.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    // A method an API path does not document: 405 with Allow, before Astro's cross-site form guard
    // (which would answer 403 to a PUT) and before the Fetch API sees a method it cannot represent.
    const refused = methodNotAllowed(req.method ?? '', path);
    if (refused) {
      refused.headers.forEach((value, name) => res.setHeader(name, value));
      res.writeHead(refused.status);
      res.end(req.method === 'HEAD' ? undefined : await refused.text());
      return;
    }
    // TRACE, TRACK, CONNECT and unknown methods cannot become a Fetch Request: Astro would throw (500).
    if (!ALLOWED_METHODS.has(req.method ?? '')) {
      res.writeHead(405, { allow: 'GET, HEAD, POST, PATCH, OPTIONS', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed\n');
      return;
    }
    if (options.federation && await options.federation(req, res)) return;
    if (path === '/metrics' && options.metrics) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void sendStatus(res, 405);
      const body = await options.metrics.metrics();
      res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const clientAddress = resolveClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
    // A fresh cached API answer goes out without Astro, with the route's rate limit and headers
    // (site/lib/api/cached-answer.ts); a miss takes the route below, which fills the cache.
    if (path.startsWith('/api/')) {
      const hit = await cachedAnswer({
        method: req.method ?? '', url: new URL(req.url ?? '/', 'http://chatlas.invalid'), ifNoneMatch: req.headers['if-none-match'] ?? null, clientAddress,
      });
      if (hit) {
        for (const [name, value] of hit.headers) res.setHeader(name, value);
        res.writeHead(hit.status);
        res.end(hit.body ?? undefined);
        return;
      }
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && serveStatic(staticFiles, path, req, res, staticHeaders)) return;
    await handler(req, res, (error?: unknown) => {
      if (error) log?.error({ err: error, url: req.url }, 'render failed');
      sendStatus(res, error ? 500 : 404);
    }, { [CLIENT_ADDRESS_LOCAL]: clientAddress });
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log?.info({ url }, 'serving the site and API');

  return {
    server,
    url,
    port,
    async close() {
      await options.scheduler?.stop();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      setStore(undefined);
    },
  };
}

function sendStatus(res: ServerResponse, status: number): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(status === 404 ? 'Not found\n' : status === 405 ? 'Method not allowed\n' : 'Internal error\n');
}

/** A file of dist/client. */
interface StaticFile {
  file: string;
  size: number;
}

/**
 * The files of dist/client by URL path (`/_astro/x.css`, `/about/data/index.html`),
 * listed once at start: the build does not change under a running server (its
 * entry is imported once), and a lookup is then a map read instead of up to
 * three failed stat calls for every page and API request.
 */
function indexStatic(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let entries;
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    // A build with nothing prerendered and no assets has no client folder.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    files.set(`/${relative(root, file).split(sep).join('/')}`, { file, size: statSync(file).size });
  }
  return files;
}

/**
 * Send a file of dist/client when the path names one (also `/x` → `/x/index.html`
 * for prerendered pages, with the headers Astro computed for that route). Paths
 * are decoded once; only files listed at start can match, so `..` cannot leave
 * the folder, and encoded slashes and NUL bytes fall through to the app (404).
 */
function serveStatic(files: Map<string, StaticFile>, urlPath: string, req: IncomingMessage, res: ServerResponse, pageHeaders: Map<string, [string, string][]>): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || /%2f/i.test(urlPath)) return false;
  const path = posix.normalize(decoded);
  const candidates = path.endsWith('/') ? [`${path}index.html`] : [path, `${path}/index.html`, `${path}.html`];
  for (const candidate of candidates) {
    const found = files.get(candidate);
    if (!found) continue;
    const { file, size } = found;
    const immutable = path.startsWith('/_astro/');
    if (file.endsWith('.html')) {
      // The route of /about/data/, /about/data/index.html or /about/data.html is /about/data.
      const route = path.replace(/(\/index)?(\.html)?\/?$/, '') || '/';
      for (const [name, value] of pageHeaders.get(route) ?? []) res.setHeader(name, value);
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  }
  return false;
}
