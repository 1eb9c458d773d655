import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import type { RoomsCurrentRow } from './update-rooms-current.ts';

/** A row of rooms_current as the room index reads it: only the first day of the size series is kept. */
export type StoredRoomRow = Omit<RoomsCurrentRow, 'pass_id' | 'daily_days'>;

/** Where a page of {@link listRoomsCurrent} starts: after this key, or from the first room. */
export interface RoomKey {
  protocol: Protocol;
  room_id: string;
}

// The columns the index holds; times as epoch ms, the series cut to its first value (growth's base).
const NAMES = ['version', 'is_deleted', 'observed_at', 'inserted_at', 'protocol', 'room_id', 'server', 'address', 'name', 'topic',
  'members', 'avatar_url', 'language', 'language_confidence', 'world_readable', 'guest_can_join', 'join_rule', 'room_type',
  'federates', 'daily_members'] as const;
const COLUMNS = `version, is_deleted, toUnixTimestamp64Milli(observed_at) AS observed_at,
  toUnixTimestamp64Milli(inserted_at) AS inserted_at, protocol, room_id, server, address, name, topic, members,
  avatar_url, language, language_confidence, world_readable, guest_can_join, join_rule, room_type, federates,
  arraySlice(daily_members, 1, 1) AS daily_members`;

// Rows as JSON arrays (JSONCompactEachRow): half the bytes of named rows, and at a million rooms the
// engine's formatting and the transfer are most of the index's build.
async function compactRows(db: Db, query: string, params: Record<string, unknown>): Promise<StoredRoomRow[]> {
  const rs = await db.client.query({
    query, query_params: params, format: 'JSONCompactEachRow',
    // prefer_column_name_to_alias: `… AS inserted_at` (epoch ms) must not replace the column in WHERE,
    // or `inserted_at > …` compares milliseconds with a time and every row is "new".
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, prefer_column_name_to_alias: 1 },
  });
  const rows = await rs.json<unknown[]>();
  return rows.map((a) => Object.fromEntries(NAMES.map((n, i) => [n, a[i]])) as unknown as StoredRoomRow);
}

// Key order and a key range (spelled out, so the primary key's analysis bounds it): each page is a
// range read of the primary key, merged by FINAL.
const pageSql = `
SELECT ${COLUMNS}
FROM rooms_current FINAL
WHERE protocol > {protocol:String} OR (protocol = {protocol:String} AND room_id > {roomId:String})
ORDER BY protocol, room_id
LIMIT {limit:UInt32}`;

/**
 * One page of the rooms currently listed (tombstones folded away by FINAL),
 * in key order after `after`: the room index's first build reads the table
 * this way, a page at a time, so no reply holds a million rooms.
 */
export async function listRoomsCurrent(db: Db, after: RoomKey | null, limit: number): Promise<StoredRoomRow[]> {
  return compactRows(db, pageSql, { protocol: after?.protocol ?? '', roomId: after?.room_id ?? '', limit });
}

// Every row written since, tombstones and superseded versions included, in write order: the index
// applies them as they were written (a version older than the one it holds is ignored).
const sinceSql = `
SELECT ${COLUMNS}
FROM rooms_current
WHERE inserted_at > fromUnixTimestamp64Milli({since:Int64})
ORDER BY inserted_at, version`;

/** Rows of rooms_current written after `sinceMs` (epoch ms), oldest write first. */
export async function listRoomsWrittenSince(db: Db, sinceMs: number): Promise<StoredRoomRow[]> {
  return compactRows(db, sinceSql, { since: Math.max(0, Math.floor(sinceMs)) });
}
