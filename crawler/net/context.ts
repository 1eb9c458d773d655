/**
 * The NetContext: the single object probes receive, holding everything that
 * touches the network. Only `crawler/net/` opens sockets.
 *
 * API summary (for probe authors):
 *
 * ```ts
 * const ctx = createNetContext(loadCrawlConfig({ env }));   // sync; call ctx.close() at the end
 *
 * // DNS (our own client; never Node's resolver). NXDOMAIN/NODATA are results:
 * const srv = await ctx.dns.srv('_xmpp-client._tcp.example.org', { signal });
 * //   { records: [{priority, weight, port, target}], status: 'ok'|'nodata'|'nxdomain',
 * //     authenticated (AD bit), name, cnames, ttl, resolver }
 * //   also ctx.dns.a / aaaa / txt / tlsa / cname; failures throw ProbeError dns.*
 * interpretSrv(srv.records)            // crawler/discover/srv.ts: absent | not-offered | ordered targets
 *
 * // Addresses that the guard allows (throws net.forbidden-address / dns.*):
 * await resolveAddresses(ctx.dns, host, ctx.guard.nets)   // from ./guarded-lookup.ts
 * ctx.lookup                           // dns.lookup-compatible, guarded: pass to net.connect / tls.connect
 * ctx.guard.isForbidden(ip), ctx.guard.reason(ip), ctx.guard.assertAllowed(ip)
 * ctx.connect({ host, port, signal })  // guarded plain TCP socket (for XMPP streams), connect deadline applied
 *
 * // HTTP (./http.ts): redirects checked hop by hop, byte cap, one deadline:
 * const res = await fetchBounded(ctx, url, { accept: 'application/json', signal });
 * //   { status, headers, bodyText, bodyBytes, finalUrl, redirects, durationMs, remoteAddress }
 *
 * // TLS facts (./tls-inspect.ts) and TLS for streams (./tls-connect.ts):
 * await inspectTls(ctx, { host, port, servername, alpn: ['http/1.1'] })      // -> TlsFacts (bad certs are facts)
 * const sock = await ctx.connect({ host, port, signal });  ... STARTTLS ...
 * const { socket, facts } = await upgradeToTls(ctx, sock, { servername: domain, alpn: ['xmpp-client'] })
 * const { socket, facts } = await connectTls(ctx, { host, port, servername: domain, alpn: ['xmpp-client'] })  // XEP-0368
 * tlsFactsFromSocket(tlsSocket, domain); tlsClientOptions(ctx.config)   // for your own tls.connect
 *
 * // Politeness (crawler/policy/politeness.ts): ctx.politeness is the context's one per-host registry.
 * // fetchBounded runs each HTTP hop in the slot of the URL's host and ctx.connect each connect in the
 * // slot of opts.host: at most config.perHostConcurrency at once, config.perHostIntervalMs between
 * // starts, 429/503 Retry-After pauses and robots.txt crawl-delay applied. Nothing to do in probes;
 * // ctx.politeness.setCrawlDelay / noteResponse for what they learn some other way.
 * // Robots (crawler/policy/robots.ts): robotsPolicyFromFetch({ status, bodyText } | { error }), isAllowed(policy, path)
 *
 * // Deadlines (./deadline.ts): withDeadline(fnOrPromise, ms, 'xmpp.timeout', signal);
 * // deadlineSignal(config.probeTimeoutMs, 'net.timeout') -> { signal, clear() } for a whole probe
 * ```
 *
 * Errors are always `ProbeError` (crawler/errors.ts); `toProbeError(e)`
 * (./to-probe-error.ts) maps raw socket/TLS errors to our codes.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { CrawlConfig, ResolverAddress } from '../config.ts';
import { ProbeError } from '../errors.ts';
import { createPoliteness, type Politeness, type PolitenessOptions } from '../policy/politeness.ts';
import { forbiddenReason, type NetLists } from './address-guard.ts';
import { withDeadline } from './deadline.ts';
import { createDnsClient, type DnsClient } from './dns.ts';
import { assertAllowed, createGuardedLookup, unbracket, type GuardedLookup } from './guarded-lookup.ts';
import { createHttpAgent, type HttpAgent } from './http-agent.ts';
import { parseResolvConf } from './resolv-conf.ts';
import { toProbeError } from './to-probe-error.ts';
import { RequestBudget, type BudgetTicket } from './request-budget.ts';

/** The address guard bound to the configured allow/deny lists. */
export interface Guard {
  readonly nets: NetLists;
  isForbidden(ip: string): boolean;
  /** Why `ip` is forbidden, or null. */
  reason(ip: string): string | null;
  /** @throws {ProbeError} `net.forbidden-address` */
  assertAllowed(ip: string): void;
}

/** Options of {@link NetContext.connect}. */
export interface ConnectOptions {
  host: string;
  port: number;
  signal?: AbortSignal;
  /** @default config.connectTimeoutMs */
  timeoutMs?: number;
  /** The probe's budget for this step (crawler/net/request-budget.ts): one connection is taken before connecting. */
  budget?: BudgetTicket;
}

/** Everything a probe needs from the network. */
export interface NetContext {
  readonly config: CrawlConfig;
  readonly dns: DnsClient;
  readonly http: HttpAgent;
  readonly guard: Guard;
  /** Guarded `lookup` for `net.connect` / `tls.connect` / undici. */
  readonly lookup: GuardedLookup;
  /**
   * The per-host politeness registry every request and connect of this
   * context goes through (keyed by the host name or IP literal connected to).
   */
  readonly politeness: Politeness;
  /**
   * Requests sent per server over the last 24 hours, and their budget
   * (crawler/net/request-budget.ts): `fetchBounded`, `connect` and the
   * observer's queries take one from the ticket they are given.
   */
  readonly budget: RequestBudget;
  /**
   * Open a guarded TCP connection (IP literals checked too), with the connect
   * deadline. The connect waits for a slot of `opts.host` (politeness); the
   * slot is held while connecting only, not for the socket's life: a probe
   * keeps a stream open while it sends other requests to the same host, which
   * at one slot per host would wait on itself.
   */
  connect(opts: ConnectOptions): Promise<net.Socket>;
  /** Close the HTTP agent's connections. */
  close(): Promise<void>;
}

/** The resolvers to use: the configured ones, else /etc/resolv.conf's nameservers. */
export function resolversFor(config: CrawlConfig, readResolvConf: () => string = () => readFileSync('/etc/resolv.conf', 'utf8')): ResolverAddress[] {
  if (config.dns.length > 0) return config.dns;
  let text = '';
  try {
    text = readResolvConf();
  } catch {
    // No resolv.conf: fall through to the error below.
  }
  const servers = parseResolvConf(text);
  if (servers.length === 0) throw new Error('no DNS resolver: set CHATLAS_DNS (e.g. 127.0.0.1:53) or add a nameserver to /etc/resolv.conf');
  return servers;
}

/** Options of {@link createNetContext} that are not configuration. */
export interface NetContextOptions {
  /**
   * Clock and sleep of the politeness registry, for tests that check
   * intervals and pauses without waiting on real time. @default real time
   */
  politenessClock?: Pick<PolitenessOptions, 'now' | 'sleep'>;
  /** The request budget to count in (a test's, with its clock; metrics hooks). @default one with config.dailyRequestBudget */
  budget?: RequestBudget;
}

/** Build the context of one crawl (or one test). Synchronous; call `close()` when done. */
export function createNetContext(config: CrawlConfig, options: NetContextOptions = {}): NetContext {
  const nets: NetLists = { allow: config.allowNets, deny: config.denyNets };
  const dns = createDnsClient({ servers: resolversFor(config), timeoutMs: config.dnsTimeoutMs, attempts: config.dnsAttempts });
  const lookup = createGuardedLookup(dns, nets);
  const http = createHttpAgent(config, lookup);
  const politeness = createPoliteness({ perHostConcurrency: config.perHostConcurrency, minIntervalMs: config.perHostIntervalMs, ...options.politenessClock });
  const budget = options.budget ?? new RequestBudget({ dailyLimit: config.dailyRequestBudget });
  const guard: Guard = {
    nets,
    isForbidden: (ip) => forbiddenReason(ip, nets) !== null,
    reason: (ip) => forbiddenReason(ip, nets),
    assertAllowed: (ip) => assertAllowed(ip, nets),
  };

  async function connect(opts: ConnectOptions): Promise<net.Socket> {
    const host = unbracket(opts.host);
    if (net.isIP(host) !== 0) assertAllowed(host, nets);
    // Counted before the slot wait: a refused connection never queues.
    opts.budget?.take('connect');
    // The slot wait is bounded by the caller's signal and the registry's longest pause; the connect deadline starts after it.
    return politeness.run(host, () => connectNow(host, opts), { signal: opts.signal });
  }

  function connectNow(host: string, opts: ConnectOptions): Promise<net.Socket> {
    return withDeadline((signal) => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host, port: opts.port, lookup: lookup as never });
      const onAbort = (): void => { cleanup(); socket.destroy(); reject(signal.reason); };
      const cleanup = (): void => {
        signal.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
      };
      const onError = (error: Error): void => { cleanup(); socket.destroy(); reject(toProbeError(error, 'net.reset')); };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => {
        cleanup();
        const why = forbiddenReason(socket.remoteAddress ?? '', nets);
        if (why !== null) {
          socket.destroy();
          reject(new ProbeError('net.forbidden-address', `${host} connected to forbidden ${socket.remoteAddress} (${why})`));
          return;
        }
        resolve(socket);
      });
    }), opts.timeoutMs ?? config.connectTimeoutMs, 'net.connect-timeout', opts.signal);
  }

  return { config, dns, http, guard, lookup, politeness, budget, connect, close: () => http.close() };
}
