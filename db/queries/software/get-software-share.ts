import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../stats/query-rows.ts';

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

const sql = `
SELECT protocol, software, count() AS servers, sum(count()) OVER (PARTITION BY protocol) AS total
FROM (
  SELECT protocol, domain, argMaxMerge(status) AS status, argMaxMerge(software) AS software
  FROM server_daily_v1
  WHERE day = {day:Date} AND ({protocol:String} = '' OR protocol = {protocol:String})
  GROUP BY protocol, domain
)
WHERE status = 'ok'
GROUP BY protocol, software
ORDER BY protocol, servers DESC, software`;

/**
 * Software share on one day: each reachable server counted once with its last
 * state of the day, from `server_daily_v1`.
 */
export async function getSoftwareShare(db: Db, params: SoftwareShareParams): Promise<SoftwareShareRow[]> {
  return queryRows<SoftwareShareRow>(db, sql, { day: params.day, protocol: params.protocol ?? '' });
}
