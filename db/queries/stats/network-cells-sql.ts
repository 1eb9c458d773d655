import { liveCellsSql } from './live-cells-sql.ts';

/** The cell columns both sources share, in order. */
const COLUMNS = 'bucket, protocol, software, version, registration, probed, reachable, rooms, members, tls_observed, tls_ok, tls_expiring, dnssec_observed, dnssec_on, dane_observed, dane_on, ipv6_observed, ipv6_on, first_at, last_at';

/**
 * The network cells of a window (see {@link liveCellsSql} for what a cell is):
 * the buckets `planNetworkCells` found up to date in `network_buckets_v1`, read
 * from there, and every other bucket computed from `server_daily_v1`. Queries
 * aggregate these rows; summing cells counts each server once per bucket.
 *
 * Bound parameters: those of `planNetworkCells`'s result (`step`, `stored`,
 * `live`, `liveFrom`) plus `{to:Date}` and `{protocol:String}`. `bucket` must
 * come from `bucketSql` (the allow-list).
 */
export function networkCellsSql(bucket: string): string {
  return `
SELECT ${COLUMNS} FROM network_buckets_v1
WHERE step = {step:String} AND definition = {definition:UInt8} AND (bucket, protocol, toUnixTimestamp64Milli(computed_at)) IN {stored:Array(Tuple(Date, String, Int64))}
UNION ALL
SELECT ${COLUMNS} FROM (${liveCellsSql(bucket)})`;
}
