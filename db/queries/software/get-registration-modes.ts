import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../stats/query-rows.ts';

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

const sql = `
SELECT protocol, software, registration, count() AS servers
FROM (
  SELECT protocol, domain, argMaxMerge(status) AS status, argMaxMerge(software) AS software,
         argMaxMerge(registration) AS registration
  FROM server_daily_v1
  WHERE day = {day:Date} AND ({protocol:String} = '' OR protocol = {protocol:String})
  GROUP BY protocol, domain
)
WHERE status = 'ok'
GROUP BY GROUPING SETS ((protocol, registration), (protocol, software, registration))
ORDER BY protocol, software, servers DESC, registration`;

/**
 * How sign-up is offered on one day, per protocol and per implementation,
 * each reachable server once with its last state of the day.
 */
export async function getRegistrationModes(db: Db, params: RegistrationModesParams): Promise<RegistrationModeRow[]> {
  return queryRows<RegistrationModeRow>(db, sql, { day: params.day, protocol: params.protocol ?? '' });
}
