import { runsProtocolSql } from '../../runs-protocol-sql.ts';

/**
 * The definition of a cell that {@link liveCellsSql} computes, stored with each computation in
 * `network_buckets_v1.definition` (0016_network_cells_definition.sql): readers use stored rows of
 * this definition only. Raise it whenever what a cell counts changes.
 * 1: every server probed counted in `probed`; 2: domains that show no sign of the protocol are not.
 */
export const NETWORK_CELLS_DEFINITION = 2;

/**
 * The network cells of some buckets computed from `server_daily_v1`: one row per
 * (bucket, protocol, software, version, registration) of each server's LAST state
 * in the bucket, with how many servers share it and their summed facts (the
 * columns of `network_buckets_v1`, 0009_network_buckets.sql).
 *
 * Inner level: the rollup's states merged per (day, server); middle: each
 * server's last day in the bucket; outer: the cells. argMax skips NULLs, so
 * Nullable facts are only counted for servers that answered (status = 'ok').
 * `probed` counts only servers that run the protocol (db/runs-protocol-sql.ts):
 * a domain whose last state in the bucket is `not-a-server` stays in its
 * cell for `probes` (the staleness fingerprint covers every probe) but is
 * not a server probed, so reachable / probed is over servers of the protocol.
 * Bound parameters: `{liveFrom:Date}`..`{to:Date}` (days read), `{protocol:String}`
 * ('' for both) and `{live:Array(Tuple(Date, String))}`, the (bucket, protocol)
 * pairs wanted. `bucket` must come from `bucketSql` (the allow-list).
 */
export function liveCellsSql(bucket: string): string {
  // With daily buckets the inner level already has one row per server and bucket: the middle level
  // only renames, which spares a second GROUP BY over every server-day.
  const perServer = (b: string) => b === 'day'
    ? `  SELECT day AS bucket, protocol, domain, day_probes AS server_probes, day_at AS at, status, software, version,
         registration, tls_valid, tls_expires_at, dnssec, dane, ipv6, public_rooms, public_members`
    : `  SELECT ${b} AS bucket, protocol, domain, sum(day_probes) AS server_probes, max(day_at) AS at,
         argMax(status, day_at) AS status, argMax(software, day_at) AS software,
         argMax(version, day_at) AS version, argMax(registration, day_at) AS registration,
         argMax(tls_valid, day_at) AS tls_valid, argMax(tls_expires_at, day_at) AS tls_expires_at,
         argMax(dnssec, day_at) AS dnssec, argMax(dane, day_at) AS dane, argMax(ipv6, day_at) AS ipv6,
         argMax(public_rooms, day_at) AS public_rooms, argMax(public_members, day_at) AS public_members`;
  return `
SELECT bucket, protocol, software, version, registration,
       sum(server_probes) AS probes,
       countIf(${runsProtocolSql('status')}) AS probed,
       countIf(status = 'ok') AS reachable,
       sumIf(public_rooms, status = 'ok') AS rooms,
       sumIf(public_members, status = 'ok') AS members,
       countIf(status = 'ok' AND isNotNull(tls_valid)) AS tls_observed,
       countIf(status = 'ok' AND tls_valid = true) AS tls_ok,
       countIf(status = 'ok' AND tls_valid = true AND tls_expires_at < at + INTERVAL 14 DAY) AS tls_expiring,
       countIf(status = 'ok' AND isNotNull(dnssec)) AS dnssec_observed,
       countIf(status = 'ok' AND dnssec = true) AS dnssec_on,
       countIf(status = 'ok' AND isNotNull(dane)) AS dane_observed,
       countIf(status = 'ok' AND dane = true) AS dane_on,
       countIf(status = 'ok' AND isNotNull(ipv6)) AS ipv6_observed,
       countIf(status = 'ok' AND ipv6 = true) AS ipv6_on,
       min(at) AS first_at, max(at) AS last_at
FROM (
${perServer(bucket)}
  FROM (
    SELECT day, protocol, domain, sum(probes) AS day_probes, max(last_at) AS day_at,
           argMaxMerge(status) AS status, argMaxMerge(software) AS software,
           argMaxMerge(version) AS version, argMaxMerge(registration) AS registration,
           argMaxMerge(tls_valid) AS tls_valid, argMaxMerge(tls_expires_at) AS tls_expires_at,
           argMaxMerge(dnssec) AS dnssec, argMaxMerge(dane) AS dane, argMaxMerge(ipv6) AS ipv6,
           argMaxMerge(public_rooms) AS public_rooms, argMaxMerge(public_members) AS public_members
    FROM server_daily_v1
    WHERE day >= {liveFrom:Date} AND day <= {to:Date} AND ({protocol:String} = '' OR protocol = {protocol:String})
      AND (${bucket}, protocol) IN {live:Array(Tuple(Date, String))}
    GROUP BY day, protocol, domain
  )${bucket === 'day' ? '' : `
  GROUP BY bucket, protocol, domain`}
)
GROUP BY bucket, protocol, software, version, registration`;
}
