import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { HIDDEN_DOMAINS_SQL, HIDDEN_ROOMS_SQL } from '../servers/visibility-sql.ts';
import { queryRows } from '../stats/query-rows.ts';
import { toIso } from '../stats/to-iso.ts';
import { getRoomGrowth } from './get-room-growth.ts';

/** Parameters of {@link searchRooms}; validated by `roomSearchParams` in site/lib/params.ts. */
export interface SearchRoomsParams {
  /** Words that must all occur (substring, case-insensitive) in name, topic, address or id. */
  q?: string;
  protocol?: Protocol;
  language?: string;
  minMembers?: number;
  maxMembers?: number;
  /** Only rooms listed by this server. */
  server?: string;
  /** @default 'all' */
  type?: 'all' | 'room' | 'space';
  /** @default 'members' */
  sort?: 'members' | 'growth' | 'name';
  /** 1-based. @default 1 */
  page?: number;
  /** @default 25 */
  limit?: number;
  /** Growth is measured against this many days ago. @default 30 */
  growthDays?: number;
  /** "Today" for the growth window. @default the current time */
  now?: Date;
}

/** A room of the directory. */
export interface RoomRow {
  protocol: Protocol;
  room_id: string;
  /** The server that lists it. */
  server: string;
  /** Canonical alias (Matrix) or room JID (XMPP). */
  address: string;
  name: string;
  topic: string;
  members: number;
  /** Members now minus the earliest daily size in the growth window. */
  growth: number;
  language: string;
  room_type: 'room' | 'space';
  world_readable: boolean | null;
  guest_can_join: boolean | null;
  join_rule: string;
  avatar_url: string;
  /** When the server last listed it (ISO). */
  observed_at: string | null;
}

/** A page of rooms. */
export interface RoomPage {
  rows: RoomRow[];
  /** Rooms matching, over all pages. */
  total: number;
  page: number;
  pages: number;
}

/** ORDER BY per sort key: the only text placed in the ORDER BY (allow-list). */
const ORDER = {
  members: 'members DESC, protocol, room_id',
  name: 'lower(name) ASC, protocol, room_id',
  growth: 'growth DESC, members DESC, protocol, room_id',
} as const;

/** At most this many search words; the rest are ignored. */
const MAX_TERMS = 4;

// `matched`: current rooms passing every filter. A room is current when it came from the same pass
// as its server's last successful probe (servers_last_ok), so a room that vanished from the listing
// leaves the directory without a delete. Search words use LIKE on the lower-cased search_text, which
// the ngrambf_v1 index of rooms_latest can answer by skipping granules.
// The filters are a PREWHERE, so they run before FINAL merges versions and FINAL only folds the rows
// that matched. That is safe here because of the pass check: an older version of a room comes from
// an older pass and fails it, so filtering first can never bring a stale version back. (A room two
// servers list shows under whichever listing matches, e.g. under either server's filter.)
const MATCHED = `
  SELECT protocol, room_id, server, address, name, topic, members, language, room_type,
         world_readable, guest_can_join, join_rule, avatar_url, observed_at
  FROM rooms_latest FINAL
  PREWHERE search_text LIKE {t0:String} AND search_text LIKE {t1:String}
    AND search_text LIKE {t2:String} AND search_text LIKE {t3:String}
    AND ({protocol:String} = '' OR protocol = {protocol:String})
    AND ({language:String} = '' OR language = {language:String})
    AND ({server:String} = '' OR server = {server:String})
    AND ({type:String} = 'all' OR room_type = {type:String})
    AND members >= {minMembers:UInt32} AND members <= {maxMembers:UInt32}
    AND (protocol, server, pass_id) IN (SELECT protocol, domain, pass_id FROM servers_last_ok FINAL)
    AND server NOT IN (${HIDDEN_DOMAINS_SQL})
    AND (server, room_id) NOT IN (${HIDDEN_ROOMS_SQL})`;

// Sorted by members or name, the page is cut first and its growth fetched afterwards for 25 rooms
// (getRoomGrowth). Sorted by growth, every match needs its growth: the window of the daily member
// series is joined for all of them, which costs a scan of that window (see BENCHMARKS.md).
const sql = (sort: keyof typeof ORDER) => sort === 'growth'
  ? `
WITH matched AS (${MATCHED})
SELECT m.*, toInt64(m.members) - toInt64(if(g.room_id = '', m.members, g.past)) AS growth, count() OVER () AS total
FROM matched AS m
LEFT JOIN (
  SELECT protocol, room_id, argMin(members, day) AS past
  FROM room_members_daily_v1
  WHERE day >= {since:Date} AND (protocol, room_id) IN (SELECT protocol, room_id FROM matched)
  GROUP BY protocol, room_id
) AS g ON g.protocol = m.protocol AND g.room_id = m.room_id
ORDER BY ${ORDER.growth}
LIMIT {limit:UInt32} OFFSET {offset:UInt32}`
  : `
SELECT *, toInt64(0) AS growth, count() OVER () AS total
FROM (${MATCHED})
ORDER BY ${ORDER[sort]}
LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;

/** `%word%` with LIKE's own metacharacters escaped. */
function likeTerm(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The room directory: words in `q` must all occur in a room's name, topic,
 * address or id; filters by protocol, language, size, server and kind; sort by
 * members, name or growth over `growthDays` (from `room_members_daily_v1`).
 * Only rooms still listed by their server's latest successful listing appear;
 * rooms and servers hidden or opted out (registrations, opt_outs) never do.
 */
export async function searchRooms(db: Db, params: SearchRoomsParams = {}): Promise<RoomPage> {
  const sort = params.sort ?? 'members';
  if (!(sort in ORDER)) throw new TypeError(`unknown sort ${JSON.stringify(sort)}`);
  const limit = params.limit ?? 25;
  const page = params.page ?? 1;
  const words = (params.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_TERMS);
  const terms = Object.fromEntries(Array.from({ length: MAX_TERMS }, (_, i) => [`t${i}`, words[i] ? likeTerm(words[i]) : '%']));
  const now = params.now ?? new Date();
  const since = new Date(now.getTime() - (params.growthDays ?? 30) * 86_400_000).toISOString().slice(0, 10);
  const rows = await queryRows<RoomRow & { total: number }>(db, sql(sort), {
    ...terms,
    protocol: params.protocol ?? '', language: params.language ?? '', server: params.server ?? '', type: params.type ?? 'all',
    minMembers: params.minMembers ?? 0, maxMembers: params.maxMembers ?? 0xffffffff,
    since, limit, offset: (page - 1) * limit,
  });
  const total = rows[0]?.total ?? 0;
  if (sort !== 'growth') {
    const past = await getRoomGrowth(db, { since, rooms: rows.map((r) => [r.protocol, r.room_id] as const) });
    const byRoom = new Map(past.map((p) => [`${p.protocol}\0${p.room_id}`, p.past]));
    for (const r of rows) r.growth = r.members - (byRoom.get(`${r.protocol}\0${r.room_id}`) ?? r.members);
  }
  return {
    rows: rows.map(({ total: _t, ...r }) => ({ ...r, observed_at: toIso(r.observed_at) })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / limit)),
  };
}
