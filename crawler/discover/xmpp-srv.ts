/**
 * Where to connect for a domain's XMPP services, pure.
 *
 * - RFC 6120 §3.2.1 (SRV `_xmpp-client._tcp` / `_xmpp-server._tcp`,
 *   fallback to A/AAAA of the domain on 5222 / 5269 when there are no SRV
 *   records, but NOT when the target is `.`: RFC 2782 "service decidedly not
 *   available"), §3.2.2 (the fallback);
 * - XEP-0368 "SRV records for XMPP over TLS" 1.1.0 (`_xmpps-client._tcp`,
 *   `_xmpps-server._tcp`: TLS from the first byte), merged with the STARTTLS
 *   records by priority, direct TLS first on a tie (XEP-0368 §3);
 * - RFC 2782 ordering via `crawler/discover/srv.ts`.
 *
 * Review of `@xmpp/resolve` 0.14 (`lib/dns.js`, `lib/http.js`), kept here so
 * nobody re-adopts it: it resolves through Node's system resolver
 * (`dns.lookup`, `dns.resolveSrv`: off-loopback in tests, no AD bit), drops
 * every DNS error except ENOTFOUND/ENODATA into a rejected Promise.all, sorts
 * by descending weight instead of RFC 2782's weighted random choice, ignores
 * the `.` target, has a `"stuns "` / `protcol` typo in its default service
 * list, and fetches host-meta with no timeout, size cap or address guard.
 * What survives: the service list (`xmpps-client`, `xmpp-client`,
 * `xmpps-server`, `xmpp-server`) and "direct TLS first" — reimplemented on
 * our DNS client. Its fallback to port 5223 is not in any spec and is not used.
 */
import type { SrvRecord } from '../net/dns.ts';
import { interpretSrv, srvName } from './srv.ts';

/** The four SRV services, in the order they are asked. */
export const XMPP_SRV_SERVICES = ['xmpp-client', 'xmpps-client', 'xmpp-server', 'xmpps-server'] as const;
export type XmppSrvService = (typeof XMPP_SRV_SERVICES)[number];

/** Default ports of the A/AAAA fallback (RFC 6120 §3.2.2). */
export const XMPP_DEFAULT_PORTS = { c2s: 5222, s2s: 5269 } as const;

/** One place to connect to. */
export interface XmppEndpoint {
  host: string;
  port: number;
  /** XEP-0368 direct TLS (else STARTTLS). */
  directTls: boolean;
  /** From an SRV record, or the A/AAAA fallback on the domain. */
  source: 'srv' | 'fallback';
  priority: number;
}

/** Endpoints of one side (c2s or s2s), and whether SRV said "not offered". */
export interface XmppEndpoints {
  endpoints: XmppEndpoint[];
  /** Every SRV service of this side answered with the `.` target. */
  notOffered: boolean;
  /** At least one SRV record was found for this side. */
  srvFound: boolean;
}

/** The owner names to ask, e.g. `_xmpp-client._tcp.example.org`. */
export function xmppSrvNames(domain: string): Record<XmppSrvService, string> {
  return {
    'xmpp-client': srvName('xmpp-client', domain),
    'xmpps-client': srvName('xmpps-client', domain),
    'xmpp-server': srvName('xmpp-server', domain),
    'xmpps-server': srvName('xmpps-server', domain),
  };
}

/**
 * Combine the SRV answers of one side into the ordered list to try.
 * `starttls` / `direct` are the records of `_xmpp-*` / `_xmpps-*`
 * (empty when absent or when the lookup failed).
 */
export function xmppEndpoints(domain: string, side: 'c2s' | 's2s', starttls: readonly SrvRecord[], direct: readonly SrvRecord[], random?: () => number): XmppEndpoints {
  const a = interpretSrv(starttls, random);
  const b = interpretSrv(direct, random);
  const out: XmppEndpoint[] = [];
  if (b.kind === 'targets') for (const r of b.targets) out.push({ host: r.target, port: r.port, directTls: true, source: 'srv', priority: r.priority });
  if (a.kind === 'targets') for (const r of a.targets) out.push({ host: r.target, port: r.port, directTls: false, source: 'srv', priority: r.priority });
  // Stable sort: within one priority, direct TLS (pushed first) stays first.
  out.sort((x, y) => x.priority - y.priority);
  const srvFound = a.kind !== 'absent' || b.kind !== 'absent';
  // "." on the STARTTLS service forbids the fallback; "." on the direct-TLS
  // service alone only says there is no direct TLS.
  const notOffered = a.kind === 'not-offered' && b.kind !== 'targets';
  if (out.length === 0 && !notOffered) {
    out.push({ host: domain, port: XMPP_DEFAULT_PORTS[side], directTls: false, source: 'fallback', priority: 0 });
  }
  return { endpoints: out, notOffered, srvFound };
}
