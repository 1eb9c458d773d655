import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql, type Step } from './bucket-sql.ts';
import { queryRows } from './query-rows.ts';
import { toIso } from './to-iso.ts';

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

// Inner: the daily rollup's states merged per (day, server); middle: each server's last day in the
// bucket; outer: counts. For step=day the middle level is a no-op over one row.
// argMax skips NULLs, so Nullable facts are only counted for servers that answered (status = 'ok').
const sql = (bucket: string) => `
SELECT toString(bucket) AS bucket, protocol,
       count() AS probed,
       countIf(status = 'ok') AS reachable,
       sumIf(public_rooms, status = 'ok') AS rooms,
       sumIf(public_members, status = 'ok') AS members,
       countIf(status = 'ok' AND registration = 'open') AS openRegistration,
       countIf(status = 'ok' AND isNotNull(tls_valid)) AS tlsObserved,
       countIf(status = 'ok' AND tls_valid = true) AS tlsValid,
       countIf(status = 'ok' AND tls_valid = true AND tls_expires_at < at + INTERVAL 14 DAY) AS tlsExpiring,
       countIf(status = 'ok' AND isNotNull(dnssec)) AS dnssecObserved,
       countIf(status = 'ok' AND dnssec = true) AS dnssec,
       countIf(status = 'ok' AND isNotNull(dane)) AS daneObserved,
       countIf(status = 'ok' AND dane = true) AS dane,
       countIf(status = 'ok' AND isNotNull(ipv6)) AS ipv6Observed,
       countIf(status = 'ok' AND ipv6 = true) AS ipv6,
       toString(min(at)) AS firstAt, toString(max(at)) AS lastAt
FROM (
  SELECT ${bucket} AS bucket, protocol, domain, max(day_at) AS at,
         argMax(status, day_at) AS status, argMax(registration, day_at) AS registration,
         argMax(tls_valid, day_at) AS tls_valid, argMax(tls_expires_at, day_at) AS tls_expires_at,
         argMax(dnssec, day_at) AS dnssec, argMax(dane, day_at) AS dane, argMax(ipv6, day_at) AS ipv6,
         argMax(public_rooms, day_at) AS public_rooms, argMax(public_members, day_at) AS public_members
  FROM (
    SELECT day, protocol, domain, max(last_at) AS day_at,
           argMaxMerge(status) AS status, argMaxMerge(registration) AS registration,
           argMaxMerge(tls_valid) AS tls_valid, argMaxMerge(tls_expires_at) AS tls_expires_at,
           argMaxMerge(dnssec) AS dnssec, argMaxMerge(dane) AS dane, argMaxMerge(ipv6) AS ipv6,
           argMaxMerge(public_rooms) AS public_rooms, argMaxMerge(public_members) AS public_members
    FROM server_daily_v1
    WHERE day >= {from:Date} AND day <= {to:Date} AND ({protocol:String} = '' OR protocol = {protocol:String})
    GROUP BY day, protocol, domain
  )
  GROUP BY bucket, protocol, domain
)
GROUP BY bucket, protocol
ORDER BY bucket, protocol`;

/**
 * Network metrics over time, per bucket and protocol, from `server_daily_v1`
 * (never raw observations). Every point carries its coverage (`probed`,
 * `firstAt`..`lastAt`), so a chart can say how many servers a value rests on.
 */
export async function getNetworkSeries(db: Db, params: NetworkSeriesParams): Promise<NetworkPoint[]> {
  const rows = await queryRows<NetworkPoint>(db, sql(bucketSql(params.step ?? 'day')), {
    from: params.from,
    to: params.to,
    protocol: params.protocol ?? '',
  });
  return rows.map((r) => ({ ...r, firstAt: toIso(r.firstAt), lastAt: toIso(r.lastAt) }));
}
