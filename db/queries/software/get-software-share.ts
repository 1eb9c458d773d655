import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql } from '../stats/bucket-sql.ts';
import { networkCellsSql } from '../stats/network-cells-sql.ts';
import { planNetworkCells } from '../stats/plan-network-cells.ts';
import { queryRows } from '../../query-rows.ts';
import { softwareGroupSql } from './software-group-sql.ts';

/** Parameters of {@link getSoftwareShare}. */
export interface SoftwareShareParams {
  /** The day, `YYYY-MM-DD` (use `NetworkTotals.asOf`). */
  day: string;
  /** @default both */
  protocol?: Protocol;
}

/** One implementation on one day. */
export interface SoftwareShareRow {
  protocol: Protocol;
  software: string;
  /** Reachable servers running it. */
  servers: number;
  /** Reachable servers of the protocol that day (the denominator). */
  total: number;
}

// The day's network cells (each server's last state of the day, networkCellsSql), from
// network_buckets_v1 once the day is closed, grouped by software key (softwareGroupSql).
const sql = `
SELECT protocol, sw AS software, sum(reachable) AS servers, sum(sum(reachable)) OVER (PARTITION BY protocol) AS total
FROM (SELECT protocol, ${softwareGroupSql('protocol', 'software')} AS sw, reachable FROM (${networkCellsSql(bucketSql('day'))}))
GROUP BY protocol, sw
HAVING servers > 0
ORDER BY protocol, servers DESC, software`;

/**
 * Software share on one day: each reachable server counted once with its last
 * state of the day, from `server_daily_v1`.
 */
export async function getSoftwareShare(db: Db, params: SoftwareShareParams): Promise<SoftwareShareRow[]> {
  const plan = await planNetworkCells(db, { from: params.day, to: params.day, step: 'day', protocol: params.protocol ?? '' });
  return queryRows<SoftwareShareRow>(db, sql, plan.params);
}
