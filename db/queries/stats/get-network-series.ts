import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql, type Step } from './bucket-sql.ts';
import { networkCellsSql } from './network-cells-sql.ts';
import { planNetworkCells } from './plan-network-cells.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';

/** Parameters of {@link getNetworkSeries}. */
export interface NetworkSeriesParams {
  /** First day, inclusive, `YYYY-MM-DD` (UTC). */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD` (UTC). */
  to: string;
  /** Bucket size. @default 'day' */
  step?: Step;
  /** Only this federation. @default both */
  protocol?: Protocol;
}

/**
 * One bucket of one protocol. Each server counts once per bucket, with its
 * last state in the bucket. Shares are over `reachable` servers for which
 * the fact was observed (`*Observed`), never over servers that were down.
 */
export interface NetworkPoint {
  /** First day of the bucket, `YYYY-MM-DD`. */
  bucket: string;
  protocol: Protocol;
  /** Servers probed in the bucket (the coverage). */
  probed: number;
  /** Of those, answering (`status = ok`) at their last probe. */
  reachable: number;
  /** Public rooms listed by reachable servers. */
  rooms: number;
  /** Members of those rooms (a person in two rooms counts twice). */
  members: number;
  openRegistration: number;
  tlsObserved: number;
  tlsValid: number;
  /** Valid certificate that expires within 14 days of the probe. */
  tlsExpiring: number;
  dnssecObserved: number;
  dnssec: number;
  daneObserved: number;
  dane: number;
  ipv6Observed: number;
  ipv6: number;
  /** Earliest and latest probe in the bucket (ISO 8601). */
  firstAt: string | null;
  lastAt: string | null;
}

// Each cell holds the servers sharing one last state in the bucket (networkCellsSql), so summing the
// cells of a bucket counts every server once, with its last state: the same numbers as merging
// server_daily_v1 per server, but closed buckets come precomputed from network_buckets_v1.
const sql = (bucket: string) => `
SELECT toString(bucket) AS bucket, protocol,
       sum(probed) AS probed,
       sum(reachable) AS reachable,
       sum(rooms) AS rooms,
       sum(members) AS members,
       sumIf(reachable, registration = 'open') AS openRegistration,
       sum(tls_observed) AS tlsObserved,
       sum(tls_ok) AS tlsValid,
       sum(tls_expiring) AS tlsExpiring,
       sum(dnssec_observed) AS dnssecObserved,
       sum(dnssec_on) AS dnssec,
       sum(dane_observed) AS daneObserved,
       sum(dane_on) AS dane,
       sum(ipv6_observed) AS ipv6Observed,
       sum(ipv6_on) AS ipv6,
       toString(min(first_at)) AS firstAt, toString(max(last_at)) AS lastAt
FROM (${networkCellsSql(bucket)})
GROUP BY bucket, protocol
ORDER BY bucket, protocol`;

/**
 * Network metrics over time, per bucket and protocol, from the network
 * rollup (`network_buckets_v1`) for closed buckets and `server_daily_v1` for
 * the rest (never raw observations; see `planNetworkCells`). Every point carries its coverage (`probed`,
 * `firstAt`..`lastAt`), so a chart can say how many servers a value rests on.
 */
export async function getNetworkSeries(db: Db, params: NetworkSeriesParams): Promise<NetworkPoint[]> {
  const step = params.step ?? 'day';
  const plan = await planNetworkCells(db, { from: params.from, to: params.to, step, protocol: params.protocol ?? '' });
  const rows = await queryRows<NetworkPoint>(db, sql(bucketSql(step)), plan.params);
  return rows.map((r) => ({ ...r, firstAt: toIso(r.firstAt), lastAt: toIso(r.lastAt) }));
}
