/**
 * Name → addresses through our DNS client, with the address guard applied to
 * every address. The `lookup` function plugs into `net.connect({ lookup })`,
 * `tls.connect({ lookup })` and undici's `connect.lookup`, so the address
 * checked is the address the socket then connects to: a DNS rebinding
 * answer cannot slip between a check and the connection.
 */
import net from 'node:net';
import type { LookupAddress } from 'node:dns';
import { ProbeError } from '../errors.ts';
import { forbiddenReason, type NetLists } from './address-guard.ts';
import type { DnsAnswer, DnsClient } from './dns.ts';

/** One usable address. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Options of {@link resolveAddresses}. */
export interface ResolveOptions {
  signal?: AbortSignal;
  /** Only this family (4 or 6); 0 or absent: both. */
  family?: number;
}

/** Strip the brackets of an IPv6 URL host (`[::1]` → `::1`). */
export const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/**
 * Check one literal address against the guard.
 * @throws {ProbeError} `net.forbidden-address` naming the range.
 */
export function assertAllowed(address: string, nets: NetLists, host = address): void {
  const why = forbiddenReason(address, nets);
  if (why !== null) throw new ProbeError('net.forbidden-address', `${host} -> ${address} is forbidden (${why})`);
}

/** RFC 8305 §3 recommends 50 ms. */
const RESOLUTION_DELAY_MS = 50;

type Settled = { ok: true; answer: DnsAnswer<string> | null } | { ok: false; error: unknown };
const settle = (p: Promise<DnsAnswer<string> | null>): Promise<Settled> =>
  p.then((answer) => ({ ok: true as const, answer }), (error: unknown) => ({ ok: false as const, error }));
const hasRecords = (s: Settled): boolean => s.ok && s.answer !== null && s.answer.records.length > 0;
const LATE: Settled = { ok: false, error: new ProbeError('dns.timeout', 'no answer within the resolution delay') };
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The addresses of `host` that the guard allows: IPv6 first, then IPv4.
 * An IP literal is checked as it is, without DNS.
 * @throws {ProbeError} `dns.nxdomain`, `dns.no-records`, `net.forbidden-address` (every address refused), or the DNS error.
 */
export async function resolveAddresses(dns: DnsClient, host: string, nets: NetLists, opts: ResolveOptions = {}): Promise<ResolvedAddress[]> {
  const name = unbracket(host);
  const literal = net.isIP(name);
  if (literal !== 0) {
    assertAllowed(name, nets, host);
    return [{ address: name, family: literal as 4 | 6 }];
  }
  const want6 = opts.family !== 4;
  const want4 = opts.family !== 6;
  const q6 = want6 ? dns.aaaa(name, { signal: opts.signal }) : Promise.resolve(null);
  const q4 = want4 ? dns.a(name, { signal: opts.signal }) : Promise.resolve(null);
  const s6 = settle(q6);
  const s4 = settle(q4);
  // RFC 8305 §3: once one family has answers, wait only a short "resolution
  // delay" for the other, so a resolver that sits on AAAA does not stall us.
  const bounded = (mine: Promise<Settled>, other: Promise<Settled>): Promise<Settled> =>
    Promise.race([mine, other.then((o) => (hasRecords(o) ? delay(RESOLUTION_DELAY_MS).then(() => LATE) : mine))]);
  const [r6, r4] = await Promise.all([bounded(s6, s4), bounded(s4, s6)]);
  const found: ResolvedAddress[] = [];
  let nxdomain = false;
  for (const [result, family] of [[r6, 6], [r4, 4]] as const) {
    if (result.ok && result.answer) {
      nxdomain ||= result.answer.status === 'nxdomain';
      for (const address of result.answer.records) found.push({ address, family });
    }
  }
  if (found.length === 0) {
    const failed = [r4, r6].find((r) => !r.ok);
    if (failed && !failed.ok) throw ProbeError.from(failed.error, 'dns.malformed');
    if (nxdomain) throw new ProbeError('dns.nxdomain', `${name} does not exist (NXDOMAIN)`);
    throw new ProbeError('dns.no-records', `${name} has no ${opts.family === 4 ? 'A' : opts.family === 6 ? 'AAAA' : 'A or AAAA'} records`);
  }
  const allowed = found.filter((a) => forbiddenReason(a.address, nets) === null);
  if (allowed.length === 0) {
    const list = found.map((a) => `${a.address} (${forbiddenReason(a.address, nets)})`).join(', ');
    throw new ProbeError('net.forbidden-address', `${name} resolves only to forbidden addresses: ${list}`);
  }
  return allowed;
}


type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` with Node's `dns.lookup` signature, for net/tls/undici. */
export type GuardedLookup = (hostname: string, options: { family?: number | string; all?: boolean } | number | undefined, callback: LookupCallback) => void;

/**
 * Make a `lookup` for `net.connect`, `tls.connect` and undici's
 * `connect.lookup`, resolving through `dns` and refusing forbidden
 * addresses with `net.forbidden-address`.
 */
export function createGuardedLookup(dns: DnsClient, nets: NetLists, signal?: AbortSignal): GuardedLookup {
  return (hostname, options, callback) => {
    const o = typeof options === 'number' ? { family: options } : options ?? {};
    const family = o.family === 'IPv4' ? 4 : o.family === 'IPv6' ? 6 : Number(o.family ?? 0);
    resolveAddresses(dns, hostname, nets, { family, signal }).then(
      (addresses) => {
        if (o.all) callback(null, addresses);
        else callback(null, addresses[0]?.address ?? '', addresses[0]?.family);
      },
      (error: unknown) => callback(ProbeError.from(error) as NodeJS.ErrnoException, '', 0),
    );
  };
}
