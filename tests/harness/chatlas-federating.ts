/**
 * Chatlas federating as a Matrix server for end-to-end tests (TEST ONLY): the
 * serve composition in this process (jobs/serve/server.ts startServer with
 * jobs/serve/federation-endpoint.ts, as `chatlas serve` builds them when
 * CHATLAS_MATRIX_SERVER_NAME is set) on `<address>:0`, and in front of it a
 * TLS terminator on `<address>:8448` with a test-CA certificate for the server
 * name, which our DNS server must resolve to `<address>`. Remote homeservers
 * then find Chatlas exactly as they find any server without a well-known:
 * `<name>:8448`.
 *
 * It also signs requests as Chatlas to other servers (signed with the store's
 * key, sent through the crawler's guarded network layer), and lets a test wait
 * for the store writes the endpoint started (the origin recorder does not
 * block the answer on them).
 */
import { pino, type Logger } from 'pino';
import type { Db } from '../../db/client.ts';
import { loadCrawlConfig } from '../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../crawler/net/context.ts';
import { fetchBounded } from '../../crawler/net/http.ts';
import { ProbeError } from '../../crawler/errors.ts';
import { signFederationRequest } from '../../crawler/protocol/matrix-request-auth.ts';
import type { SigningKey } from '../../crawler/protocol/matrix-signing.ts';
import { loadFederationConfig } from '../../federation/config.ts';
import type { MatrixIdentity } from '../../federation/identity.ts';
import { createFederationEndpoint } from '../../jobs/serve/federation-endpoint.ts';
import { startServer, type RunningServer } from '../../jobs/serve/server.ts';
import { ensureSiteBuilt } from '../../jobs/serve/site-build.ts';
import { DEFAULT_RESERVED_TLDS } from '../../crawler/discover/domain-name.ts';
import type { DnsServer } from '../../sim/dns-server.ts';
import type { TestCa } from '../../sim/test-ca.ts';
import { startTlsTerminator, type TlsTerminator } from './tls-terminator.ts';

/** A request the federation endpoint saw (after TLS), in order. */
export interface SeenFederationRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  userAgent: string;
  /** The `origin` of an X-Matrix Authorization header, or '' for none. */
  origin: string;
}

/** Options of {@link startFederatingChatlas}. */
export interface FederatingChatlasOptions {
  /** The open, migrated store (the identity is created in it, rooms are read from it). */
  db: Db;
  /** CHATLAS_MATRIX_SERVER_NAME. */
  serverName: string;
  /** Loopback address that our DNS gives for `serverName`: serve on port 0, the TLS terminator on 8448. */
  address: string;
  dns: DnsServer;
  ca: TestCa;
  logger?: Logger;
}

/** A federating Chatlas. */
export interface FederatingChatlas {
  serverName: string;
  identity: MatrixIdentity;
  /** Chatlas's guarded network layer: our DNS, the test CA, the address guard of the test configs. */
  net: NetContext;
  server: RunningServer;
  tls: TlsTerminator;
  /** What reached the federation endpoint. */
  seen: SeenFederationRequest[];
  /** Resolves once every store write the endpoint started so far has finished. */
  settled(): Promise<void>;
  /**
   * Send `method uri` to `baseUrl` (e.g. `https://synapse.test:8448`), signed as Chatlas for
   * `destination` with the store's current key, or with `key` (a key Chatlas does not publish).
   */
  signed(baseUrl: string, destination: string, method: 'GET' | 'POST', uri: string, options?: { content?: unknown; key?: SigningKey }): Promise<{ status: number; json: any; text: string }>;
  close(): Promise<void>;
}

/** Wrap the store so the test can wait for the inserts made through it. */
function trackInserts(db: Db): { db: Db; settled: () => Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  const client = new Proxy(db.client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'insert') {
        return (...args: Parameters<typeof target.insert>) => {
          const p = target.insert(...args);
          pending.add(p);
          void p.then(() => pending.delete(p), () => pending.delete(p));
          return p;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: { ...db, client }, settled: async () => { await Promise.allSettled([...pending]); } };
}

/** Start Chatlas's federation endpoint behind TLS on `<address>:8448`. */
export async function startFederatingChatlas(options: FederatingChatlasOptions): Promise<FederatingChatlas> {
  const logger = options.logger ?? pino({ level: 'warn' });
  const net = createNetContext(loadCrawlConfig({
    env: { CHATLAS_DNS: options.dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' },
  }, { extraCaPems: [options.ca.caPem] }));
  const tracked = trackInserts(options.db);
  const seen: SeenFederationRequest[] = [];
  let server: RunningServer | undefined;
  let tls: TlsTerminator | undefined;
  try {
    const endpoint = await createFederationEndpoint({
      db: tracked.db, net, config: loadFederationConfig({ env: { CHATLAS_MATRIX_SERVER_NAME: options.serverName } }),
      // `.test` names are probed and recorded in tests, as CHATLAS_ALLOW_TLDS=test does for serve.
      normalise: { reservedTlds: DEFAULT_RESERVED_TLDS.filter((tld) => tld !== 'test') },
      version: '0.0.0-e2e', logger,
    });
    if (!endpoint) throw new Error('no federation endpoint: the server name is empty');
    // serve builds the site when it is missing or stale before it serves; so does this.
    await ensureSiteBuilt(logger);
    server = await startServer({
      db: tracked.db, host: options.address, port: 0, logger,
      federation: (req, res) => {
        const origin = /origin="?([^",]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        seen.push({ method: req.method ?? '', url: req.url ?? '', userAgent: String(req.headers['user-agent'] ?? ''), origin });
        return endpoint.handler(req, res);
      },
    });
    const cert = await options.ca.issue([options.serverName]);
    tls = await startTlsTerminator({ host: options.address, port: 8448, certPem: cert.certPem, keyPem: cert.keyPem, backend: { host: options.address, port: server.port } });
    const identity = endpoint.identity;
    const running = server;
    const terminator = tls;
    return {
      serverName: options.serverName,
      identity,
      net,
      server: running,
      tls: terminator,
      seen,
      settled: tracked.settled,
      async signed(baseUrl, destination, method, uri, opts = {}) {
        const auth = signFederationRequest({
          method, uri, origin: options.serverName, destination, ...(opts.content !== undefined ? { content: opts.content } : {}),
        }, opts.key ?? identity.current);
        if (auth instanceof ProbeError) throw auth;
        const res = await fetchBounded(net, `${baseUrl}${uri}`, {
          method, accept: 'application/json', maxRedirects: 0,
          headers: { authorization: auth, ...(opts.content !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(opts.content !== undefined ? { body: JSON.stringify(opts.content) } : {}),
        });
        let json: unknown = null;
        try { json = JSON.parse(res.bodyText); } catch { json = null; }
        return { status: res.status, json, text: res.bodyText };
      },
      async close() {
        await terminator.close();
        await running.close();
        await tracked.settled();
        await net.close();
      },
    };
  } catch (error) {
    await tls?.close();
    await server?.close();
    await net.close();
    throw error;
  }
}
