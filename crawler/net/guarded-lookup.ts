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
import type { DnsClient } from './dns.ts';

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
  const [r6, r4] = await Promise.allSettled([
    want6 ? dns.aaaa(name, { signal: opts.signal }) : Promise.resolve(null),
    want4 ? dns.a(name, { signal: opts.signal }) : Promise.resolve(null),
  ]);
  const found: ResolvedAddress[] = [];
  let nxdomain = false;
  for (const [result, family] of [[r6, 6], [r4, 4]] as const) {
    if (result.status === 'fulfilled' && result.value) {
      nxdomain ||= result.value.status === 'nxdomain';
      for (const address of result.value.records) found.push({ address, family });
    }
  }
  if (found.length === 0) {
    const failed = [r4, r6].find((r) => r.status === 'rejected');
    if (failed) throw ProbeError.from(failed.reason, 'dns.malformed');
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
