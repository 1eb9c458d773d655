/**
 * SRV record interpretation, pure.
 *
 * RFC 2782 "A DNS RR for specifying the location of services (DNS SRV)",
 * https://www.rfc-editor.org/rfc/rfc2782 — ordering ("Usage rules": lowest
 * priority first; within a priority, weighted random selection with
 * weight-0 records placed first) and the "." target meaning "service
 * decidedly not available at this domain".
 */
import type { SrvRecord } from '../net/dns.ts';

/** What a set of SRV records says. */
export type SrvOutcome =
  /** No SRV records: fall back (A/AAAA on the default port). */
  | { kind: 'absent' }
  /** A single record with target ".": the service is not offered; do not fall back. */
  | { kind: 'not-offered' }
  /** Targets in the order to try. */
  | { kind: 'targets'; targets: SrvRecord[] };

/** The owner name of a service, e.g. `srvName('xmpp-client', 'example.org')` → `_xmpp-client._tcp.example.org`. */
export function srvName(service: string, domain: string, proto: 'tcp' | 'udp' = 'tcp'): string {
  return `_${service}._${proto}.${domain.replace(/\.$/, '')}`;
}

/**
 * Order SRV records for connection attempts (RFC 2782 usage rules).
 * @param random returns a number in [0, 1); injectable so tests are deterministic.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    if (r.target === '.' || r.target === '') continue;
    const group = byPriority.get(r.priority) ?? [];
    group.push(r);
    byPriority.set(r.priority, group);
  }
  const out: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // "arrange all SRV RRs (that have not been ordered yet) in any order,
    // except that all those with weight 0 are placed at the beginning"
    const pool = [...(byPriority.get(priority) ?? [])].sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
    while (pool.length > 0) {
      const total = pool.reduce((sum, r) => sum + r.weight, 0);
      // "choose a uniform random number between 0 and the sum computed (inclusive)"
      const pick = Math.floor(random() * (total + 1));
      let running = 0;
      let index = pool.length - 1;
      for (let i = 0; i < pool.length; i++) {
        running += pool[i]?.weight ?? 0;
        if (running >= pick) {
          index = i;
          break;
        }
      }
      const [chosen] = pool.splice(index, 1);
      if (chosen) out.push(chosen);
    }
  }
  return out;
}

/** Interpret an SRV answer: absent, explicitly not offered, or ordered targets. */
export function interpretSrv(records: readonly SrvRecord[], random?: () => number): SrvOutcome {
  if (records.length === 0) return { kind: 'absent' };
  // RFC 2782: "A Target of "." means that the service is decidedly not
  // available at this domain." Only meaningful as the sole record.
  if (records.length === 1 && (records[0]?.target === '.' || records[0]?.target === '')) return { kind: 'not-offered' };
  const targets = orderSrv(records, random);
  return targets.length === 0 ? { kind: 'not-offered' } : { kind: 'targets', targets };
}
