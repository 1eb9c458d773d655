/**
 * Our own DNS client (dns-packet over UDP, TCP on truncation) to the
 * configured resolvers, or to /etc/resolv.conf's nameservers. Node's resolver
 * is never used: it hides the AD bit, loses error kinds, and in tests would
 * leave loopback.
 *
 * Outcomes: records (possibly none) with `status` `ok`, `nodata` or
 * `nxdomain` are expected results, not errors (RFC 2308). SERVFAIL, REFUSED,
 * timeouts and undecodable replies are `ProbeError`s (`dns.*`) once every
 * resolver and attempt is spent.
 *
 * Cache: positive answers for their TTL, negative ones (NXDOMAIN, NODATA)
 * per RFC 2308 §5 for min(SOA TTL, SOA MINIMUM) when the reply carries the
 * zone's SOA in its authority section, else {@link DEFAULT_NEGATIVE_TTL_S}
 * (RFC 2308 says not to cache without an SOA; a bounded short default keeps
 * a probe from asking the same empty question many times, e.g. AAAA). All
 * capped at {@link MAX_CACHE_TTL_S}. Errors are never cached. The store is
 * lru-cache (bounded, least recently used dropped first); questions in flight
 * are shared by a map of our own, because each caller waits under its own
 * signal and a `fresh` question bypasses both.
 */
import type { RecordType } from 'dns-packet';
import { LRUCache } from 'lru-cache';
import { lruClock } from '../../lib/lru-clock.ts';
import { ProbeError } from '../errors.ts';
import type { ResolverAddress } from '../config.ts';
import { withDeadline } from './deadline.ts';
import { buildQuery, exchangeTcp, exchangeUdp, type DnsReply } from './dns-transport.ts';

/** An SRV record (RFC 2782). `target` is lower case without the final dot; `.` means "service not offered". */
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A TLSA record (RFC 6698 §2.1); `data` is hex. */
export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  data: string;
}

/** The answer to one question, after CNAME following. */
export interface DnsAnswer<T> {
  records: T[];
  /** `ok` with records, `nodata` (name exists, no such type), `nxdomain` (no such name). */
  status: 'ok' | 'nodata' | 'nxdomain';
  /** Every reply on the way carried the AD bit (validated by a DNSSEC-aware resolver). */
  authenticated: boolean;
  /** The name the records belong to (the end of the CNAME chain). */
  name: string;
  /** CNAME targets followed, in order. */
  cnames: string[];
  /** Smallest TTL of the records, seconds (0 when none). */
  ttl: number;
  /** `ip:port` of the resolver that answered last. */
  resolver: string;
}

/** Options of {@link createDnsClient}. */
export interface DnsClientOptions {
  /** Resolvers, tried in order. Must not be empty. */
  servers: readonly ResolverAddress[];
  /** Deadline of one question to one resolver. @default 2000 */
  timeoutMs?: number;
  /** Rounds over the resolver list. @default 2 */
  attempts?: number;
  /** Answers kept (positive and negative, at most {@link MAX_CACHE_TTL_S} each); 0 disables. @default 10000 */
  cacheEntries?: number;
  /** Seconds a negative answer without an SOA is kept. @default {@link DEFAULT_NEGATIVE_TTL_S} */
  negativeTtlS?: number;
  /** Clock (ms since epoch), injectable for tests. @default Date.now */
  now?: () => number;
}

/** Options of one question. */
export interface QueryOptions {
  /** Aborts the question (e.g. the probe's deadline). */
  signal?: AbortSignal;
  /**
   * Ask the resolver even when an answer is cached, and do not cache this one.
   * For ownership checks: the admin has just published the record, and a
   * cached "no such record" from the first check must not hide it.
   * @default false
   */
  fresh?: boolean;
}

/** The DNS client the probes receive (in `NetContext.dns`). */
export interface DnsClient {
  readonly servers: readonly ResolverAddress[];
  srv(name: string, opts?: QueryOptions): Promise<DnsAnswer<SrvRecord>>;
  a(name: string, opts?: QueryOptions): Promise<DnsAnswer<string>>;
  aaaa(name: string, opts?: QueryOptions): Promise<DnsAnswer<string>>;
  /** Each record's character-strings joined (RFC 7208 §3.3 style), decoded as UTF-8. */
  txt(name: string, opts?: QueryOptions): Promise<DnsAnswer<string>>;
  tlsa(name: string, opts?: QueryOptions): Promise<DnsAnswer<TlsaRecord>>;
  /** The CNAME target of `name` itself (not followed). */
  cname(name: string, opts?: QueryOptions): Promise<DnsAnswer<string>>;
}

/** Longest CNAME chain followed (BIND's default is 16; 8 is plenty for real zones). */
const MAX_CNAME_HOPS = 8;
/** Answers kept per question: bounds memory whatever the resolver sends. */
const MAX_RECORDS = 256;
/** TXT bytes kept per record. */
const MAX_TXT_BYTES = 4096;
/** Longest a cached answer is reused, whatever its TTL says (seconds). */
export const MAX_CACHE_TTL_S = 300;
/** How long a negative answer whose reply has no SOA is reused (seconds). */
export const DEFAULT_NEGATIVE_TTL_S = 60;

/**
 * The negative-caching TTL of a reply (RFC 2308 §5): the smaller of the
 * authority SOA's own TTL and its MINIMUM field, or `fallback` without an SOA.
 */
export function negativeTtl(reply: Pick<DnsReply, 'authorities'>, fallback: number): number {
  const soa = (reply.authorities ?? []).find((r) => r.type === 'SOA') as { ttl?: number; data?: { minimum?: number } } | undefined;
  if (!soa) return fallback;
  const ttl = Math.min(soa.ttl ?? 0, soa.data?.minimum ?? 0);
  return Number.isFinite(ttl) && ttl > 0 ? ttl : 0;
}

/** Lower-case, strip the final dot, check RFC 1035 §2.3.4 lengths. @throws {ProbeError} `dns.invalid-name`. */
export function normaliseName(name: string): string {
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  const ok = n.length > 0 && n.length <= 253 && n.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[a-z0-9_*-]+$/.test(l));
  if (!ok) throw new ProbeError('dns.invalid-name', `cannot ask DNS about ${JSON.stringify(name.slice(0, 300))}`);
  return n;
}

const where = (s: ResolverAddress): string => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);

/** Create a DNS client over `servers`. */
export function createDnsClient(options: DnsClientOptions): DnsClient {
  const servers = [...options.servers];
  if (servers.length === 0) throw new TypeError('createDnsClient: no resolvers (set CHATLAS_DNS or /etc/resolv.conf nameservers)');
  const timeoutMs = options.timeoutMs ?? 2000;
  const attempts = options.attempts ?? 2;
  const cacheEntries = options.cacheEntries ?? 10_000;
  const negativeTtlS = options.negativeTtlS ?? DEFAULT_NEGATIVE_TTL_S;
  const now = options.now ?? Date.now;
  /** Answers (positive and negative) by `TYPE name`, each kept for its own TTL; null when caching is off. */
  const cache = cacheEntries > 0 ? new LRUCache<string, DnsAnswer<unknown>>({ max: cacheEntries, ...lruClock(now) }) : null;
  /** Questions in flight, so simultaneous connections to one host ask once. */
  const inflight = new Map<string, Promise<DnsAnswer<unknown>>>();

  /** One question to the resolvers in turn until one gives a usable answer. */
  async function ask(name: string, type: RecordType, signal?: AbortSignal): Promise<{ reply: DnsReply; resolver: string }> {
    let last: ProbeError | undefined;
    for (let round = 0; round < attempts; round++) {
      for (const server of servers) {
        signal?.throwIfAborted();
        const query = buildQuery(name, type);
        try {
          let reply = await exchangeUdp(server, query, timeoutMs, signal);
          // RFC 7766 §5: a truncated UDP reply is retried over TCP.
          if (reply.flag_tc) reply = await exchangeTcp(server, query, timeoutMs, signal);
          if (reply.rcode === 'NOERROR' || reply.rcode === 'NXDOMAIN') return { reply, resolver: where(server) };
          last = reply.rcode === 'REFUSED'
            ? new ProbeError('dns.refused', `resolver ${where(server)} refused ${type} ${name}`)
            : new ProbeError('dns.servfail', `resolver ${where(server)} answered ${reply.rcode} to ${type} ${name}`);
        } catch (error) {
          if (signal?.aborted) throw ProbeError.from(signal.reason, 'dns.timeout');
          last = ProbeError.from(error, 'dns.malformed');
        }
      }
    }
    throw last ?? new ProbeError('dns.unreachable', 'no resolver answered');
  }

  /** Ask, following CNAMEs inside replies and across further questions. */
  async function resolve(qname: string, type: RecordType, opts: QueryOptions = {}): Promise<{ answers: Array<{ type: string; name: string; data: unknown; ttl?: number }>; meta: Omit<DnsAnswer<unknown>, 'records' | 'ttl'>; negativeTtl: number }> {
    let current = normaliseName(qname);
    const cnames: string[] = [];
    let authenticated = true;
    for (let question = 0; ; question++) {
      const { reply, resolver } = await ask(current, type, opts.signal);
      authenticated &&= reply.flag_ad;
      const answers = (reply.answers ?? []) as Array<{ type: string; name: string; data: unknown; ttl?: number }>;
      // Walk the chain the resolver included (RFC 1034 §3.6.2).
      for (let hop = 0; type !== 'CNAME'; hop++) {
        const link = answers.find((r) => r.type === 'CNAME' && r.name.toLowerCase() === current);
        if (!link) break;
        if (cnames.length >= MAX_CNAME_HOPS || hop > MAX_CNAME_HOPS) throw new ProbeError('dns.malformed', `CNAME chain of ${qname} longer than ${MAX_CNAME_HOPS}`);
        current = normaliseName(String(link.data));
        if (cnames.includes(current)) throw new ProbeError('dns.malformed', `CNAME loop at ${current}`);
        cnames.push(current);
      }
      const mine = answers.filter((r) => r.type === type && r.name.toLowerCase().replace(/\.$/, '') === current).slice(0, MAX_RECORDS);
      const meta = { authenticated, name: current, cnames, resolver, status: 'ok' as DnsAnswer<unknown>['status'] };
      if (mine.length > 0) return { answers: mine, meta, negativeTtl: 0 };
      if (reply.rcode === 'NXDOMAIN') return { answers: [], meta: { ...meta, status: 'nxdomain' }, negativeTtl: negativeTtl(reply, negativeTtlS) };
      // The chain ended in a name this reply has no records for: ask about it.
      if (cnames.length > 0 && question < MAX_CNAME_HOPS && answers.some((r) => r.type === 'CNAME')) continue;
      return { answers: [], meta: { ...meta, status: 'nodata' }, negativeTtl: negativeTtl(reply, negativeTtlS) };
    }
  }

  /** The answer, and how long it may be cached (seconds, before the cap). */
  async function fresh<T>(name: string, type: RecordType, convert: (data: unknown) => T, opts?: QueryOptions): Promise<{ answer: DnsAnswer<T>; cacheTtl: number }> {
    const { answers, meta, negativeTtl: negative } = await resolve(name, type, opts);
    const records = answers.map((r) => convert(r.data));
    const ttl = answers.length === 0 ? 0 : Math.min(...answers.map((r) => r.ttl ?? 0));
    return { answer: { ...meta, records, ttl }, cacheTtl: answers.length === 0 ? negative : ttl };
  }

  async function query<T>(name: string, type: RecordType, convert: (data: unknown) => T, opts?: QueryOptions): Promise<DnsAnswer<T>> {
    if (!cache || opts?.fresh) return (await fresh(name, type, convert, opts)).answer;
    const key = `${type} ${normaliseName(name)}`;
    // Callers get copies: a shared answer must not be sorted in place by one of them.
    const copy = (a: DnsAnswer<unknown>): DnsAnswer<T> => ({ ...a, records: [...a.records], cnames: [...a.cnames] }) as DnsAnswer<T>;
    const hit = cache.get(key);
    if (hit) return copy(hit);
    let shared = inflight.get(key);
    if (!shared) {
      // The shared question is bounded by its own per-resolver deadlines, not by
      // the first caller's signal; each caller waits under its own signal below.
      const p: Promise<DnsAnswer<unknown>> = fresh(name, type, convert).then(({ answer, cacheTtl }) => {
        const ttl = Math.min(cacheTtl, MAX_CACHE_TTL_S);
        // Only ttl > 0 is stored: lru-cache reads a ttl of 0 as "never expires".
        if (ttl > 0) cache.set(key, answer, { ttl: ttl * 1000 });
        return answer;
      }).finally(() => inflight.delete(key));
      inflight.set(key, p);
      shared = p;
    }
    return copy(await withDeadline(shared, Number.POSITIVE_INFINITY, 'dns.timeout', opts?.signal));
  }

  const asString = (d: unknown): string => String(d).toLowerCase().replace(/\.$/, '');
  return {
    servers,
    srv: (name, opts) => query(name, 'SRV', (d) => {
      const s = d as { priority: number; weight: number; port: number; target: string };
      const target = asString(s.target);
      return { priority: s.priority, weight: s.weight, port: s.port, target: target === '' ? '.' : target };
    }, opts),
    a: (name, opts) => query(name, 'A', (d) => String(d), opts),
    aaaa: (name, opts) => query(name, 'AAAA', (d) => String(d), opts),
    txt: (name, opts) => query(name, 'TXT', (d) => {
      const parts = (Array.isArray(d) ? d : [d]) as Array<string | Buffer>;
      const joined = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
      return joined.subarray(0, MAX_TXT_BYTES).toString('utf8');
    }, opts),
    tlsa: (name, opts) => query(name, 'TLSA', (d) => {
      const t = d as { usage: number; selector: number; matchingType: number; certificate: Buffer };
      return { usage: t.usage, selector: t.selector, matchingType: t.matchingType, data: t.certificate.toString('hex') };
    }, opts),
    cname: (name, opts) => query(name, 'CNAME', asString, opts),
  };
}
