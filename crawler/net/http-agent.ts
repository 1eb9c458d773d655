/**
 * The one undici Agent of a NetContext, with every limit set explicitly
 * (undici's defaults trust the peer: `maxResponseSize` -1, header and body
 * timeouts 300 s; undici docs/docs/api/Client.md).
 *
 * Its connector resolves names through our DNS client and the address
 * guard (`connect.lookup`), checks IP-literal hosts itself (Node never calls
 * `lookup` for a literal), and checks the connected socket's remote address
 * once more before handing it to undici.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { ProbeError } from '../errors.ts';
import type { CrawlConfig } from '../config.ts';
import { forbiddenReason, type NetLists } from './address-guard.ts';
import { unbracket, type GuardedLookup } from './guarded-lookup.ts';
import type { TlsFacts } from '../types.ts';
import { tlsFactsFromSocket } from './tls-inspect.ts';
import { clientSecureContext } from './tls-trust.ts';

/** Connections of one probe: its own pools, closed when the probe ends. */
export interface HttpScope {
  readonly dispatcher: Dispatcher;
  /**
   * TLS facts of the scope's first connection to `origin` (`https://host[:port]`) with
   * SNI `servername`, or null when none was made (or the scope was made without
   * `keepTlsFacts`). Such a connection passed certificate verification (chain and name),
   * so a probe can take its facts instead of opening a connection of its own to read
   * them; a certificate that fails never gets here.
   */
  tlsFacts(origin: string, servername: string): TlsFacts | null;
  /** Destroy the scope's connections (the probe is over: nothing in flight is wanted). */
  close(): Promise<void>;
}

/** The agent plus what the connector observed. */
export interface HttpAgent {
  readonly dispatcher: Agent;
  /**
   * A dispatcher of its own for one probe, with the same connector (address
   * guard, TLS context and session cache) and limits. A probe's connections
   * then close when it ends instead of idling out their keep-alive: with
   * hundreds of probes in flight, idle TLS sockets of finished probes were
   * most of the prober's resident memory (BENCHMARKS.md, Matrix probe).
   * With `keepTlsFacts`, the facts of each first TLS connection per origin and SNI are
   * read as it opens (a certificate parse: only for callers that ask for them).
   */
  scope(options?: { keepTlsFacts?: boolean }): HttpScope;
  /** Remote address of the latest connection to `origin` (`https://host:port`), or null. */
  lastAddress(origin: string): string | null;
  /** Connections opened so far (all origins). */
  readonly connectionsOpened: number;
  close(): Promise<void>;
}

/** How many origins' last addresses are remembered (memory bound for long crawls). */
const MAX_REMEMBERED = 10_000;

/** `https://host[:port]` as URL.origin writes it (undici passes the URL's parts; port '' when default). */
function originOf(opts: { protocol: string; hostname: string; port: string }): string {
  return `${opts.protocol}//${opts.hostname}${opts.port ? `:${opts.port}` : ''}`;
}

/** Build the agent of one context. */
export function createHttpAgent(config: CrawlConfig, lookup: GuardedLookup): HttpAgent {
  const nets: NetLists = { allow: config.allowNets, deny: config.denyNets };
  const addresses = new Map<string, string>();
  let connectionsOpened = 0;
  const base = buildConnector({
    timeout: config.connectTimeoutMs,
    lookup: lookup as never,
    // Shared context with the extra CAs (undefined in production: Node's default).
    secureContext: clientSecureContext(config),
    allowH2: false,
    maxCachedSessions: 1000,
  });

  const connect: buildConnector.connector = (opts, callback) => {
    const host = unbracket(opts.hostname);
    if (net.isIP(host) !== 0) {
      const why = forbiddenReason(host, nets);
      if (why !== null) {
        callback(new ProbeError('net.forbidden-address', `${host} is forbidden (${why})`), null);
        return;
      }
    }
    base(opts, (error, socket) => {
      if (error || !socket) {
        callback(error, null);
        return;
      }
      const remote = socket.remoteAddress ?? '';
      const why = forbiddenReason(remote, nets);
      if (why !== null) {
        socket.destroy();
        callback(new ProbeError('net.forbidden-address', `${opts.hostname} connected to forbidden ${remote} (${why})`), null);
        return;
      }
      connectionsOpened++;
      const origin = originOf(opts);
      if (addresses.size >= MAX_REMEMBERED) addresses.delete(addresses.keys().next().value as string);
      addresses.set(origin, remote);
      callback(null, socket);
    });
  };

  const options: Agent.Options = {
    connect,
    connectTimeout: config.connectTimeoutMs,
    headersTimeout: config.headersTimeoutMs,
    bodyTimeout: config.bodyTimeoutMs,
    // A backstop: fetchBounded counts bytes itself and stops earlier.
    maxResponseSize: config.maxBodyBytes + 1,
    maxHeaderSize: 32 * 1024,
    connections: config.perHostConcurrency,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 15_000,
  };
  const dispatcher = new Agent(options);

  return {
    dispatcher,
    scope(scopeOptions = {}) {
      const facts = new Map<string, TlsFacts>();
      const own = new Agent({
        ...options,
        connect: (opts, callback) => connect(opts, (error, socket) => {
          if (error || !socket) {
            callback(error ?? new Error('no socket'), null);
            return;
          }
          if (scopeOptions.keepTlsFacts && socket instanceof tls.TLSSocket) {
            const servername = opts.servername || unbracket(opts.hostname);
            const key = `${originOf(opts)}|${servername.toLowerCase()}`;
            if (!facts.has(key)) facts.set(key, tlsFactsFromSocket(socket, servername));
          }
          callback(null, socket);
        }),
      });
      return {
        dispatcher: own,
        tlsFacts: (origin, servername) => facts.get(`${new URL(origin).origin}|${servername.toLowerCase()}`) ?? null,
        close: () => own.destroy(),
      };
    },
    lastAddress: (origin) => addresses.get(origin) ?? null,
    get connectionsOpened() {
      return connectionsOpened;
    },
    close: () => dispatcher.close(),
  };
}
