import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { softwareGroupSql } from './software-group-sql.ts';

/** Parameters of {@link getFeatureAdoption}. */
export interface FeatureAdoptionParams {
  /** The day, `YYYY-MM-DD`. */
  day: string;
  /** @default both */
  protocol?: Protocol;
  /** Only this implementation's rows (the all-software rows are always returned). @default all */
  software?: string;
  /** Most adopted features kept per protocol. @default 40 */
  limit?: number;
}

/** Servers advertising one feature; `software` is '' for the row over all implementations. */
export interface FeatureAdoptionRow {
  protocol: Protocol;
  software: string;
  feature: string;
  servers: number;
}

// uniqExact states merge as set unions, so the all-software row counts a server once even if it
// changed software during the day (it sits in two software rows of features_daily_v1). Grouped by
// software key (softwareGroupSql).
const sql = `
SELECT protocol, software, feature, n AS servers
FROM (
  SELECT protocol, sw AS software, feature, uniqExactMerge(servers) AS n
  FROM (
    SELECT protocol, ${softwareGroupSql('protocol', 'software')} AS sw, feature, servers
    FROM features_daily_v1
    WHERE day = {day:Date} AND ({protocol:String} = '' OR protocol = {protocol:String})
  )
  GROUP BY GROUPING SETS ((protocol, feature), (protocol, sw, feature))
)
WHERE software = '' OR {software:String} = '' OR software = {software:String}
ORDER BY protocol, software, n DESC, feature
LIMIT {limit:UInt32} BY protocol, software`;

/**
 * Feature adoption on one day, from `features_daily_v1`: per protocol the
 * number of reachable servers advertising each feature, overall and per
 * implementation. Divide by the reachable count of the same day for a share.
 */
export async function getFeatureAdoption(db: Db, params: FeatureAdoptionParams): Promise<FeatureAdoptionRow[]> {
  return queryRows<FeatureAdoptionRow>(db, sql, {
    day: params.day, protocol: params.protocol ?? '', software: params.software ?? '', limit: params.limit ?? 40,
  });
}
