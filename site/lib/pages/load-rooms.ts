/** The room directory (`/rooms?q=`): search, filters, sort, paging and join links. */
import type { Db } from '../../../db/client.ts';
import type { RoomPage, RoomRow } from '../../../db/queries/rooms/search-rooms.ts';
import { searchDirectory } from '../../../db/room-index/search-directory.ts';
import { joinLink } from '../join-link.ts';
import { parseQuery, roomSearchParams, type RoomSearchParams } from '../params.ts';
import type { PageResult } from './page-result.ts';
import { memo } from '../memo.ts';

/** A room with its join link. */
export type RoomItem = RoomRow & { join: string | null };

/** Everything `/rooms` renders. */
export interface RoomsView {
  params: RoomSearchParams;
  page: Omit<RoomPage, 'rows'>;
  rooms: RoomItem[];
  prevHref: string | null;
  nextHref: string | null;
}

/** Load `/rooms` for `url`. */
export async function loadRooms(db: Db, url: URL, now: Date): Promise<PageResult<RoomsView>> {
  const q = parseQuery(roomSearchParams, url.searchParams);
  if (!q.ok) return { kind: 'bad-request', issues: q.issues };
  const p = q.value;
  // The default listing and popular searches repeat: a minute of reuse keeps a burst of visitors
  // from scanning a million rooms each (an opt-out shows within that minute plus the next crawl).
  const { rows, ...page } = await memo(db, `rooms:${JSON.stringify(p)}`, () => searchDirectory(db, { ...p, now }), { ttlMs: 60_000, maxEntries: 500 });
  const link = (n: number) => {
    const u = new URL(url);
    if (n === 1) u.searchParams.delete('page');
    else u.searchParams.set('page', String(n));
    const qs = u.searchParams.toString();
    return `${u.pathname}${qs ? `?${qs}` : ''}`;
  };
  return {
    kind: 'ok',
    view: {
      params: p,
      page,
      rooms: rows.map((r) => ({ ...r, join: joinLink(r.protocol, r.address, r.room_id, r.federates ?? null) })),
      prevHref: p.page > 1 ? link(p.page - 1) : null,
      nextHref: p.page < page.pages && p.page < 500 ? link(p.page + 1) : null,
    },
  };
}
