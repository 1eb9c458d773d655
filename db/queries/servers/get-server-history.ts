import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';

/** Parameters of {@link getServerHistory}. */
export interface ServerHistoryParams {
  domain: string;
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD`. */
  to: string;
}

/** One server on one day: its last state that day, and how many probes answered. */
export interface ServerDay {
  day: string;
  protocol: Protocol;
  probes: number;
  okProbes: number;
  status: string;
  software: string;
  version: string;
  registration: string;
  rooms: number;
  members: number;
  lastAt: string | null;
}

const sql = `
SELECT toString(day) AS day, protocol, sum(probes) AS probes, sum(ok_probes) AS okProbes,
       argMaxMerge(status) AS status, argMaxMerge(software) AS software, argMaxMerge(version) AS version,
       argMaxMerge(registration) AS registration, argMaxMerge(public_rooms) AS rooms,
       argMaxMerge(public_members) AS members, toString(max(last_at)) AS lastAt
FROM server_daily_v1
WHERE domain = {domain:String} AND day >= {from:Date} AND day <= {to:Date}
GROUP BY day, protocol
ORDER BY day, protocol`;

/**
 * A server's daily history from `server_daily_v1`: reachability (probes that
 * answered), software and version over time, rooms and members. Call it only
 * for a domain {@link getServer} returned (that check honours opt-outs).
 */
export async function getServerHistory(db: Db, params: ServerHistoryParams): Promise<ServerDay[]> {
  const rows = await queryRows<ServerDay>(db, sql, params as unknown as Record<string, unknown>);
  return rows.map((r) => ({ ...r, lastAt: toIso(r.lastAt) }));
}
