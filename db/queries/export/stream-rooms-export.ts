import type { Db } from '../../client.ts';
import { HIDDEN_DOMAINS_SQL, HIDDEN_ROOMS_SQL } from '../../visibility-sql.ts';
import { streamRows } from './stream-rows.ts';
import type { RoomColumns } from '../../rows.ts';

/** One room in the bulk export. */
export interface RoomExportRow extends RoomColumns {
  room_type: string;
  join_rule: string;
  observed_at: string;
}

/** Export columns in order (the CSV header). */
export const ROOM_EXPORT_COLUMNS = [
  'protocol', 'room_id', 'server', 'address', 'name', 'topic', 'members', 'language', 'room_type', 'join_rule', 'observed_at',
] as const;

// The same "currently listed" and visibility rules as the room directory: rooms_current (migration 0008)
// holds each server's last walked listing. Not the rooms of the last good pass: a pass walks the
// directory only daily (issue 12, crawler/fact-kinds.ts), so most passes list no rooms at all.
const sql = `
SELECT protocol, room_id, server, address, name, topic, members, language, room_type, join_rule, toString(observed_at) AS observed_at
FROM rooms_current FINAL
WHERE server NOT IN (${HIDDEN_DOMAINS_SQL})
  AND (server, room_id) NOT IN (${HIDDEN_ROOMS_SQL})
ORDER BY protocol, room_id`;

/** Every room of the directory, streamed. */
export function streamRoomsExport(db: Db, signal?: AbortSignal): AsyncGenerator<RoomExportRow> {
  return streamRows<RoomExportRow>(db, sql, {}, signal);
}
