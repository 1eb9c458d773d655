import type { Db } from '../client.ts';
import { searchRooms, type RoomPage } from '../queries/rooms/search-rooms.ts';
import { openRoomIndex } from './open-room-index.ts';
import type { IndexSearchParams } from './room-index.ts';
import { installRoomIndex, roomIndexOf, uninstallRoomIndex } from './room-index-slot.ts';

/**
 * The room directory's search, one entry for the site's `/rooms`, `GET
 * /api/v1/rooms` and the federation `publicRooms` directory, so all three
 * rank alike (db/room-index/rank.ts).
 *
 * With words (`q`), the room index answers (opened on first use when
 * `chatlas serve` has not installed one, e.g. under `astro dev` or in
 * tests). Without words nothing is ranked: the store query lists by members,
 * name or growth as before. While an index `chatlas serve` opened is still
 * being built (minutes at a million rooms), the store query answers instead,
 * by members, so search never hangs on a restart.
 */
export async function searchDirectory(db: Db, params: IndexSearchParams): Promise<RoomPage> {
  if (!(params.q ?? '').trim() && !params.federatingOnly) return searchRooms(db, params);
  let handle = roomIndexOf(db);
  if (handle?.failed) {
    // The build failed (the store was busy or down): build again, and answer from the store meanwhile.
    handle = openRoomIndex(db, handle.options);
    installRoomIndex(db, handle);
  }
  if (handle && handle.buildMs === undefined) {
    // Still building: the store query, unranked.
    const { federatingOnly: _federatingOnly, ...storeParams } = params;
    if (!params.federatingOnly) return searchRooms(db, { ...storeParams, sort: params.sort === 'relevance' ? 'members' : params.sort });
  }
  if (!handle) {
    handle = openRoomIndex(db);
    installRoomIndex(db, handle);
  }
  try {
    await handle.settled();
  } catch (error) {
    // A failed build (the store was busy or down) is not kept: the next search builds again.
    if (roomIndexOf(db) === handle) void uninstallRoomIndex(db);
    throw error;
  }
  return handle.index.search(params);
}
