import type { Db } from '../../client.ts';
import { HIDDEN_DOMAINS_SQL, HIDDEN_ROOMS_SQL } from '../../visibility-sql.ts';
import { queryRows } from '../../query-rows.ts';

/** What the room directory must not show, as db/visibility-sql.ts defines it. */
export interface DirectoryVisibility {
  /** Servers hidden or opted out: none of their rooms is shown. */
  hiddenServers: string[];
  /** Rooms hidden by their server's verified admin, as (server, room id). */
  hiddenRooms: { server: string; room_id: string }[];
}

/**
 * The hidden servers and rooms, read through the same SQL the store's room
 * query filters on, for the room index (db/room-index), which applies them
 * in memory. Small: registrations and opt-outs, not rooms.
 */
export async function getDirectoryVisibility(db: Db): Promise<DirectoryVisibility> {
  const [servers, rooms] = await Promise.all([
    queryRows<{ domain: string }>(db, `SELECT DISTINCT domain FROM (${HIDDEN_DOMAINS_SQL})`),
    queryRows<{ domain: string; room_id: string }>(db, `SELECT DISTINCT domain, room_id FROM (${HIDDEN_ROOMS_SQL})`),
  ]);
  return { hiddenServers: servers.map((r) => r.domain), hiddenRooms: rooms.map((r) => ({ server: r.domain, room_id: r.room_id })) };
}
