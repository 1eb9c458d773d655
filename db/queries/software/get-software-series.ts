import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql, type Step } from '../stats/bucket-sql.ts';
import { networkCellsSql } from '../stats/network-cells-sql.ts';
import { planNetworkCells } from '../stats/plan-network-cells.ts';
import { queryRows } from '../../query-rows.ts';
import { softwareGroupSql } from './software-group-sql.ts';

/** Parameters of {@link getSoftwareSeries}. */
export interface SoftwareSeriesParams {
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD`. */
  to: string;
  /** @default 'day' */
  step?: Step;
  /** @default both */
  protocol?: Protocol;
}

/** Reachable servers running one implementation in one bucket. */
export interface SoftwarePoint {
  bucket: string;
  protocol: Protocol;
  software: string;
  servers: number;
}

// Reads the network cells (each server's LAST state in the bucket; networkCellsSql) rather than
// software_daily_v1, whose per-software sets would count a server that switched software mid-day
// under both names. Closed buckets come precomputed from network_buckets_v1. Grouped by software key
// (softwareGroupSql): an unrecognised name is its own series only while enough servers share it.
const sql = (bucket: string) => `
SELECT toString(bucket) AS bucket, protocol, sw AS software, sum(reachable) AS servers
FROM (SELECT bucket, protocol, ${softwareGroupSql('protocol', 'software')} AS sw, reachable FROM (${networkCellsSql(bucket)}))
GROUP BY bucket, protocol, sw
HAVING servers > 0
ORDER BY bucket, protocol, servers DESC, software`;

/**
 * Software share over time: per bucket, the reachable servers of each
 * implementation, each server counted once with its last state in the bucket.
 * The share is `servers / sum(servers of the bucket and protocol)`.
 */
export async function getSoftwareSeries(db: Db, params: SoftwareSeriesParams): Promise<SoftwarePoint[]> {
  const step = params.step ?? 'day';
  const plan = await planNetworkCells(db, { from: params.from, to: params.to, step, protocol: params.protocol ?? '' });
  return queryRows<SoftwarePoint>(db, sql(bucketSql(step)), plan.params);
}
