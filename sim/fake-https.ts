/**
 * Route-map HTTP/HTTPS server for tests on one loopback address (crawlee's
 * router `Map` style; undici's tests start a real server on port 0).
 * Test only. Handlers for faults: slow headers, hanging, giant bodies,
 * redirects. Counts TCP connections, so a test can prove a forbidden
 * address received none.
 *
 * @example
 * const site = await startFakeServer({ host: '127.10.2.1', tls: cert, routes: {
 *   '/.well-known/matrix/server': json({ 'm.server': 'matrix.example.test:443' }),
 * } });
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A route handler. It may stay pending (the server cleans up on close). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface FakeServerOptions {
  /** Loopback address, e.g. `127.10.2.1`. */
  host: string;
  /** @default 0 */
  port?: number;
  /** Serve HTTPS with this certificate (from sim/test-ca.ts). */
  tls?: { certPem: string; keyPem: string };
  /** Path (without query) → handler. */
  routes?: Map<string, Handler> | Record<string, Handler>;
  /** Delay before each handler runs (simulated round trip), ms. @default 0 */
  latencyMs?: number;
  /** Delay before a new connection is served (simulated connect round trip), ms. @default 0 */
  connectLatencyMs?: number;
}

/** One request the server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeServer {
  /** `https://host:port` or `http://host:port`. */
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** Mutable: add or replace routes while running. */
  readonly routes: Map<string, Handler>;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** TCP connections open now. */
  readonly openConnections: number;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** Reply with JSON. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** Reply with text. */
export const text = (body: string, status = 200, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
};

/** Redirect to `location`. */
export const redirect = (location: string, status = 302): Handler => (_req, res) => {
  res.writeHead(status, { location, 'content-length': '0' });
  res.end();
};

/** Wait `delayMs` before running `handler` (slow headers). */
export const slow = (delayMs: number, handler: Handler): Handler => (req, res) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(() => { void Promise.resolve(handler(req, res)).finally(resolve); }, delayMs);
    res.on('close', () => { clearTimeout(timer); resolve(); });
  });

/** Accept the request and never answer. */
export const hang = (): Handler => () => {};

/**
 * Stream `bytes` of body in 16 KiB chunks, without (default) or with a
 * truthful Content-Length.
 */
export const giant = (bytes: number, opts: { declareLength?: boolean } = {}): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', ...(opts.declareLength ? { 'content-length': String(bytes) } : {}) });
  const chunk = Buffer.alloc(16 * 1024, 0x20);
  let left = bytes;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(chunk.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => { left = 0; });
  pump();
};

/** Start a server; resolves once it listens. */
export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  const routes = options.routes instanceof Map ? options.routes : new Map(Object.entries(options.routes ?? {}));
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const handler = routes.get(path) ?? routes.get('*') ?? text('not found', 404);
    const go = (): void => {
      Promise.resolve(handler(req, res)).catch(() => res.destroy());
    };
    if (options.latencyMs) setTimeout(go, options.latencyMs);
    else go();
  };

  const server = options.tls
    ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener)
    : http.createServer(listener);
  server.on('tlsClientError', () => {});
  server.on('clientError', (_e, socket) => socket.destroy());
  // A plain TCP front accepts and counts connections, then hands each to the
  // HTTP(S) server, optionally after a simulated connect delay.
  const front = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const hand = (): void => {
      if (!socket.destroyed) server.emit('connection', socket);
    };
    if (options.connectLatencyMs) setTimeout(hand, options.connectLatencyMs);
    else hand();
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 0, options.host, () => resolve());
  });
  const address = front.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    origin: `${options.tls ? 'https' : 'http'}://${options.host}:${port}`,
    host: options.host,
    port,
    routes,
    get connections() {
      return connections;
    },
    get openConnections() {
      return sockets.size;
    },
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
