import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql } from '../stats/bucket-sql.ts';
import { networkCellsSql } from '../stats/network-cells-sql.ts';
import { planNetworkCells } from '../stats/plan-network-cells.ts';
import { queryRows } from '../../query-rows.ts';
import { softwareGroupSql } from './software-group-sql.ts';
import type { VersionPoint } from './get-version-series.ts';

/** Parameters of {@link listVersionSeries}. */
export interface VersionSeriesAllParams {
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD`. */
  to: string;
  /** Only servers of this protocol. @default both */
  protocol?: Protocol;
}

/** A {@link VersionPoint} of one (protocol, software key). */
export interface SoftwareVersionPoint extends VersionPoint {
  protocol: Protocol;
  /** Software key as the software pages group it (softwareGroupSql). */
  software: string;
}

// getVersionSeries's query for every software key at once, per protocol (a key can stand for
// different software in each), daily: one read instead of one per implementation. The key gets
// its own name inside: with prefer_column_name_to_alias (queryRows) a GROUP BY on an alias that
// shadows the cells' software column would group by the stored name, not the key.
const sql = `
SELECT toString(bucket) AS bucket, protocol, sw AS software, version, sum(reachable) AS servers
FROM (
  SELECT bucket, protocol, ${softwareGroupSql('protocol', 'software')} AS sw, version, reachable
  FROM (${networkCellsSql(bucketSql('day'))})
)
GROUP BY bucket, protocol, sw, version
HAVING servers > 0
ORDER BY protocol, sw, bucket, servers DESC, version`;

/**
 * Daily versions of every implementation: per day, protocol and software
 * key, reachable servers per version, each server once with its last state
 * of the day (as {@link getVersionSeries}). Read by the implementation
 * profiles' upgrade speed (site/lib/pages/load-software-profiles.ts).
 */
export async function listVersionSeries(db: Db, params: VersionSeriesAllParams): Promise<SoftwareVersionPoint[]> {
  const plan = await planNetworkCells(db, { from: params.from, to: params.to, step: 'day', protocol: params.protocol ?? '' });
  return queryRows<SoftwareVersionPoint>(db, sql, plan.params);
}
