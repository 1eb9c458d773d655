import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql } from '../stats/bucket-sql.ts';
import { networkCellsSql } from '../stats/network-cells-sql.ts';
import { planNetworkCells } from '../stats/plan-network-cells.ts';
import { queryRows } from '../../query-rows.ts';
import { softwareGroupSql } from './software-group-sql.ts';

/** Parameters of {@link getRegistrationModes}. */
export interface RegistrationModesParams {
  /** The day, `YYYY-MM-DD`. */
  day: string;
  /** @default both */
  protocol?: Protocol;
}

/** Reachable servers per registration mode; `software` is '' for the row over all implementations. */
export interface RegistrationModeRow {
  protocol: Protocol;
  software: string;
  registration: string;
  servers: number;
}

// The day's network cells (each server's last state of the day, networkCellsSql), from
// network_buckets_v1 once the day is closed, grouped by software key (softwareGroupSql).
const sql = `
SELECT protocol, sw AS software, registration, sum(reachable) AS servers
FROM (SELECT protocol, ${softwareGroupSql('protocol', 'software')} AS sw, registration, reachable FROM (${networkCellsSql(bucketSql('day'))}))
GROUP BY GROUPING SETS ((protocol, registration), (protocol, sw, registration))
HAVING servers > 0
ORDER BY protocol, software, servers DESC, registration`;

/**
 * How sign-up is offered on one day, per protocol and per implementation,
 * each reachable server once with its last state of the day.
 */
export async function getRegistrationModes(db: Db, params: RegistrationModesParams): Promise<RegistrationModeRow[]> {
  const plan = await planNetworkCells(db, { from: params.day, to: params.day, step: 'day', protocol: params.protocol ?? '' });
  return queryRows<RegistrationModeRow>(db, sql, plan.params);
}
