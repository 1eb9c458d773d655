/**
 * Crawler configuration: one field table (schema + environment variable +
 * CLI flag + default), parsed once by `jobs/cli.ts` and passed down as a
 * value. Precedence is CLI flag > environment > default (lib/config-table.ts).
 *
 * TLS trust in production follows Node's standard `NODE_EXTRA_CA_CERTS`;
 * `extraCaPems` is a programmatic field for tests only (no variable).
 */
import { z } from 'zod';
import ipaddr from 'ipaddr.js';
import { resolveConfig, type ConfigOf, type ConfigSources } from '../lib/config-table.ts';
import { DEFAULT_DAILY_REQUEST_BUDGET } from './policy/cadence.ts';

/** One DNS resolver: an IP literal and a port. */
export interface ResolverAddress {
  host: string;
  port: number;
}

/** Parse `ip:port`, `ip` (port 53) or `[v6]:port`. @returns null when not valid. */
export function parseResolver(text: string): ResolverAddress | null {
  const s = text.trim();
  let host = s;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (bracket) {
    host = bracket[1] ?? '';
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (/^[^:]+:\d{1,5}$/.test(s)) {
    const i = s.lastIndexOf(':');
    host = s.slice(0, i);
    port = Number(s.slice(i + 1));
  }
  // Only IP literals: a resolver named by hostname would need a resolver itself.
  if (!ipaddr.isValid(host) || (host.includes('.') && !host.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(host))) return null;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: ipaddr.parse(host).toString(), port };
}

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

const resolverList = z.string().transform((s, ctx) => {
  const out: ResolverAddress[] = [];
  for (const item of list(s)) {
    const r = parseResolver(item);
    if (!r) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(item)} is not an ip:port resolver address` });
      return z.NEVER;
    }
    out.push(r);
  }
  return out;
});

const cidrList = z.string().transform((s, ctx) => {
  const out = list(s);
  for (const item of out) {
    if (!ipaddr.isValidCIDR(item)) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(item)} is not a CIDR such as 127.0.0.0/8 or fc00::/7` });
      return z.NEVER;
    }
  }
  return out;
});

/** A positive integer from a decimal string, bounded by `max`. */
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

/** The crawler field table. See the README's configuration section. */
export const crawlConfigTable = {
  /**
   * DNS resolvers (`ip:port`, comma separated). Empty: the nameservers of
   * /etc/resolv.conf, asked by our own client (never Node's `dns.lookup`).
   * @default []
   */
  dns: {
    env: 'CHATLAS_DNS',
    flag: 'dns',
    schema: resolverList,
    default: [] as ResolverAddress[],
    doc: 'DNS resolvers as ip:port list (e.g. 127.0.0.1:5353); empty = nameservers from /etc/resolv.conf.',
  },
  /** CIDRs the address guard lets through despite the built-in refusals. @default [] */
  allowNets: {
    env: 'CHATLAS_ALLOW_NETS',
    flag: 'allow-nets',
    schema: cidrList,
    default: [] as string[],
    doc: 'CIDRs allowed despite the built-in private/reserved refusals (e.g. 127.0.0.0/8 in a lab).',
  },
  /** CIDRs always refused; deny wins over allow. @default [] */
  denyNets: {
    env: 'CHATLAS_DENY_NETS',
    flag: 'deny-nets',
    schema: cidrList,
    default: [] as string[],
    doc: 'CIDRs always refused; deny wins over allow.',
  },
  /** @default 'Chatlas/0.1 (+https://github.com/chatlas/chatlas; crawler)' */
  userAgent: {
    env: 'CHATLAS_USER_AGENT',
    flag: 'user-agent',
    schema: z.string().min(1).max(200),
    default: 'Chatlas/0.1 (+https://github.com/chatlas/chatlas; crawler)',
    doc: 'User-Agent sent on every HTTP request; must name Chatlas and a URL.',
  },
  /** One DNS query attempt to one resolver. @default 2000 */
  dnsTimeoutMs: {
    env: 'CHATLAS_DNS_TIMEOUT_MS',
    schema: int(1, 60_000),
    default: 2000,
    doc: 'Deadline of one DNS query to one resolver, in ms.',
  },
  /** Rounds over the resolver list before giving up. @default 2 */
  dnsAttempts: {
    env: 'CHATLAS_DNS_ATTEMPTS',
    schema: int(1, 5),
    default: 2,
    doc: 'Rounds over the resolver list for one question.',
  },
  /** TCP (and TLS handshake) connect deadline. @default 5000 */
  connectTimeoutMs: {
    env: 'CHATLAS_CONNECT_TIMEOUT_MS',
    schema: int(1, 120_000),
    default: 5000,
    doc: 'Deadline to open a TCP connection (and finish the TLS handshake), in ms.',
  },
  /** Deadline for response headers after the request is sent. @default 10000 */
  headersTimeoutMs: {
    env: 'CHATLAS_HEADERS_TIMEOUT_MS',
    schema: int(1, 300_000),
    default: 10_000,
    doc: 'Deadline for HTTP response headers, in ms.',
  },
  /** Longest silence between two body chunks. @default 10000 */
  bodyTimeoutMs: {
    env: 'CHATLAS_BODY_TIMEOUT_MS',
    schema: int(1, 300_000),
    default: 10_000,
    doc: 'Longest pause between two chunks of an HTTP body, in ms.',
  },
  /** Whole deadline of one probe step (one request, one stream exchange). @default 15000 */
  stepTimeoutMs: {
    env: 'CHATLAS_STEP_TIMEOUT_MS',
    schema: int(1, 600_000),
    default: 15_000,
    doc: 'Deadline of one probe step (one request with its redirects, one stream exchange), in ms.',
  },
  /** Whole deadline of one server's probe. @default 120000 */
  probeTimeoutMs: {
    env: 'CHATLAS_PROBE_TIMEOUT_MS',
    schema: int(1, 3_600_000),
    default: 120_000,
    doc: 'Deadline of a whole probe of one server, in ms.',
  },
  /** Byte cap of one HTTP body or stream read. @default 1048576 (1 MiB) */
  maxBodyBytes: {
    env: 'CHATLAS_MAX_BODY_BYTES',
    schema: int(1, 64 * 1024 * 1024),
    default: 1024 * 1024,
    doc: 'Byte cap of one HTTP body or one XMPP stream read.',
  },
  /** @default 5 */
  maxRedirects: {
    env: 'CHATLAS_MAX_REDIRECTS',
    schema: int(0, 20),
    default: 5,
    doc: 'Most HTTP redirects followed for one request.',
  },
  /** Simultaneous requests to one host. @default 2 */
  perHostConcurrency: {
    env: 'CHATLAS_PER_HOST_CONCURRENCY',
    schema: int(1, 2),
    default: 2,
    doc: 'Simultaneous requests to one host (1 or 2).',
  },
  /** Simultaneous server probes in one pass. @default 64 */
  globalConcurrency: {
    env: 'CHATLAS_CONCURRENCY',
    flag: 'concurrency',
    schema: int(1, 10_000),
    default: 64,
    doc: 'Servers probed at the same time.',
  },
  /**
   * Least time between the starts of two requests to one host
   * (crawler/policy/politeness.ts; robots.txt crawl-delay and Retry-After
   * raise it per host).
   *
   * Why 25 ms: a probe sends one server about 15 small requests an hour, so
   * the load a host feels is bounded by the concurrency cap (at most
   * `perHostConcurrency` in flight: a busy server that answers slower gets
   * fewer requests, self-clocking). The interval caps the rate where many
   * probed domains share one host (hosting providers, delegation to one
   * homeserver): at most 40 request starts per second there. It also spaces
   * the two parallel requests of a Matrix probe, so it lengthens a probe:
   * measured with 50 ms RTT (bench/matrix-probe.ts calibration), one probe
   * takes 13.8 RTT at 0 ms, 15.2 at 25 ms, 16.6 at 50 ms; 250 ms would add
   * several seconds per server.
   * @default 25
   */
  perHostIntervalMs: {
    env: 'CHATLAS_PER_HOST_INTERVAL_MS',
    schema: int(0, 600_000),
    default: 25,
    doc: 'Least time between the starts of two requests to one host, in ms (40/s per host at most; crawl-delay and Retry-After raise it).',
  },
  /**
   * Requests Chatlas may send one server in any 24 hours (crawler/net/request-budget.ts):
   * HTTP requests and redirect hops, connections, and the observer's queries about it.
   * Why 720: one request every two minutes on average, a quarter of what one Matrix
   * client left open sends (crawler/policy/cadence.ts `DEFAULT_DAILY_REQUEST_BUDGET`).
   * A server's Crawl-delay or a 429/503 with Retry-After lowers its own budget.
   * @default 720
   */
  dailyRequestBudget: {
    env: 'CHATLAS_DAILY_REQUEST_BUDGET',
    schema: int(1, 1_000_000),
    default: DEFAULT_DAILY_REQUEST_BUDGET,
    doc: 'Requests per server in any 24 hours (Crawl-delay and 429/503 lower it per server).',
  },
  /** Observer account for XMPP queries over s2s. @default '' */
  xmppJid: {
    env: 'CHATLAS_XMPP_JID',
    flag: 'xmpp-jid',
    schema: z.string().regex(/^[^@/\s]+@[^@/\s]+$/, 'expected a bare JID such as observer@example.org'),
    default: '',
    doc: 'Observer XMPP account (bare JID); empty = account-free probes only.',
  },
  /** @default '' */
  xmppPassword: {
    env: 'CHATLAS_XMPP_PASSWORD',
    schema: z.string(),
    default: '',
    doc: 'Password of the observer XMPP account.',
    secret: true,
  },
  /** @default '' */
  seedsFile: {
    env: 'CHATLAS_SEEDS',
    flag: 'seeds',
    schema: z.string().min(1),
    default: '',
    doc: 'File of seed domains, one per line (# comments).',
  },
  /**
   * Extra trusted CA certificates (PEM), added to Node's roots. Programmatic
   * only, for tests; production uses `NODE_EXTRA_CA_CERTS`.
   * @default []
   */
  extraCaPems: {
    schema: z.array(z.string()),
    default: [] as string[],
    doc: 'Extra trusted CA PEMs (programmatic, tests only; production uses NODE_EXTRA_CA_CERTS).',
  },
};

/** Resolved crawler configuration. */
export type CrawlConfig = ConfigOf<typeof crawlConfigTable>;

/**
 * Parse the crawler configuration once. `overrides` sets fields directly
 * (tests, the programmatic `extraCaPems`), after the table is resolved.
 * @throws {ConfigError} quoting the bad value.
 * @example loadCrawlConfig({ env: { CHATLAS_DNS: '127.10.0.1:5353', CHATLAS_ALLOW_NETS: '127.0.0.0/8' } })
 */
export function loadCrawlConfig(sources: ConfigSources = {}, overrides: Partial<CrawlConfig> = {}): CrawlConfig {
  const config = { ...resolveConfig(crawlConfigTable, sources), ...overrides };
  if (config.xmppJid !== '' && config.xmppPassword === '') {
    throw new Error(`CHATLAS_XMPP_JID=${JSON.stringify(config.xmppJid)} needs CHATLAS_XMPP_PASSWORD`);
  }
  return config;
}
