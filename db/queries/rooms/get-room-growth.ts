import type { Db } from '../../client.ts';
import { queryRows } from '../../query-rows.ts';

/** Parameters of {@link getRoomGrowth}. */
export interface RoomGrowthParams {
  /** Rooms to measure (a page of the directory): `[protocol, room_id]` pairs. At most 1,000. */
  rooms: readonly (readonly [string, string])[];
  /** First day of the window, `YYYY-MM-DD`. */
  since: string;
}

/** Earliest daily size in the window per room. */
export interface RoomGrowthRow {
  protocol: string;
  room_id: string;
  /** Members on the earliest day of the window the room was seen. */
  past: number;
}

// room_members_daily_v1 is ORDER BY (protocol, room_id, day): the IN list becomes primary-key ranges,
// so this reads only the page's rooms, whatever the size of the directory.
const sql = `
SELECT protocol, room_id, argMin(members, day) AS past
FROM room_members_daily_v1
WHERE day >= {since:Date} AND protocol IN {protocols:Array(String)} AND room_id IN {ids:Array(String)}
  AND (protocol, room_id) IN (SELECT arrayJoin(arrayZip({protocols:Array(String)}, {ids:Array(String)})))
GROUP BY protocol, room_id`;

/**
 * The member count each room had at the start of a window, from the daily
 * member series, to show growth beside a page of rooms. Rooms without a
 * sighting in the window are absent from the result.
 */
export async function getRoomGrowth(db: Db, params: RoomGrowthParams): Promise<RoomGrowthRow[]> {
  if (params.rooms.length === 0) return [];
  if (params.rooms.length > 1000) throw new RangeError(`getRoomGrowth takes at most 1000 rooms, got ${params.rooms.length}`);
  return queryRows<RoomGrowthRow>(db, sql, {
    since: params.since,
    protocols: params.rooms.map((r) => r[0]),
    ids: params.rooms.map((r) => r[1]),
  });
}
