import type { Db } from '../../client.ts';
import { HIDDEN_DOMAINS_SQL, HIDDEN_ROOMS_SQL } from '../../visibility-sql.ts';
import { streamRows } from './stream-rows.ts';

/** One room in the bulk export. */
export interface RoomExportRow {
  protocol: string;
  room_id: string;
  server: string;
  address: string;
  name: string;
  topic: string;
  members: number;
  language: string;
  room_type: string;
  join_rule: string;
  observed_at: string;
}

/** Export columns in order (the CSV header). */
export const ROOM_EXPORT_COLUMNS = [
  'protocol', 'room_id', 'server', 'address', 'name', 'topic', 'members', 'language', 'room_type', 'join_rule', 'observed_at',
] as const;

// The same "currently listed" and visibility rules as db/queries/rooms/search-rooms.ts.
const sql = `
SELECT protocol, room_id, server, address, name, topic, members, language, room_type, join_rule, toString(observed_at) AS observed_at
FROM rooms_latest FINAL
WHERE (protocol, server, pass_id) IN (SELECT protocol, domain, pass_id FROM servers_last_ok FINAL)
  AND server NOT IN (${HIDDEN_DOMAINS_SQL})
  AND (server, room_id) NOT IN (${HIDDEN_ROOMS_SQL})
ORDER BY protocol, room_id`;

/** Every room of the directory, streamed. */
export function streamRoomsExport(db: Db, signal?: AbortSignal): AsyncGenerator<RoomExportRow> {
  return streamRows<RoomExportRow>(db, sql, {}, signal);
}
