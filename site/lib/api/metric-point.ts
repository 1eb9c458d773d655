/**
 * One series point of one metric, with the denominator a share needs: counts
 * of servers are over the servers probed; a fact (TLS valid, DNSSEC, …) is
 * over the reachable servers where it was observed, never over servers that
 * were down (see db/queries/stats/get-network-series.ts).
 */
import type { NetworkPoint } from '../../../db/queries/stats/get-network-series.ts';
import type { NetworkMetric } from '../params.ts';

/** Metric → [value field, denominator field] of a NetworkPoint (allow-list). */
const FIELDS: Record<NetworkMetric, [keyof NetworkPoint, keyof NetworkPoint]> = {
  servers: ['probed', 'probed'],
  reachable: ['reachable', 'probed'],
  rooms: ['rooms', 'reachable'],
  members: ['members', 'reachable'],
  open_registration: ['openRegistration', 'reachable'],
  tls_valid: ['tlsValid', 'tlsObserved'],
  tls_expiring: ['tlsExpiring', 'tlsValid'],
  dnssec: ['dnssec', 'dnssecObserved'],
  dane: ['dane', 'daneObserved'],
  ipv6: ['ipv6', 'ipv6Observed'],
};

/** The point of `metric` in `p`. */
export function metricPoint(metric: NetworkMetric, p: NetworkPoint) {
  const [value, base] = FIELDS[metric];
  return {
    bucket: p.bucket,
    protocol: p.protocol,
    value: Number(p[value]),
    base: Number(p[base]),
    probed: p.probed,
    firstAt: p.firstAt,
    lastAt: p.lastAt,
  };
}
