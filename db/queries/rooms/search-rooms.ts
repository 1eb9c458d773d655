import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { HIDDEN_DOMAINS_SQL, HIDDEN_ROOMS_SQL } from '../../visibility-sql.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';
import type { RoomColumns } from '../../rows.ts';
import { getRoomGrowth } from './get-room-growth.ts';
import { GROWTH_DAYS_KEPT } from './update-rooms-current.ts';

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
  /**
   * `relevance` ranks by db/room-index/rank.ts, which only the room index
   * (db/room-index) computes; this store query orders it by members.
   * @default 'members'
   */
  sort?: 'relevance' | 'members' | 'growth' | 'name';
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
export interface RoomRow extends RoomColumns {
  /** Members now minus the earliest daily size in the growth window. */
  growth: number;
  room_type: 'room' | 'space';
  world_readable: boolean | null;
  guest_can_join: boolean | null;
  join_rule: string;
  /** false: local-only, users of other servers cannot join (migration 0012); null or absent: not known. */
  federates?: boolean | null;
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
  relevance: 'members DESC, protocol, room_id',
  members: 'members DESC, protocol, room_id',
  name: 'lower(name) ASC, protocol, room_id',
  growth: 'growth DESC, members DESC, protocol, room_id',
} as const;

/** At most this many search words; the rest are ignored. */
const MAX_TERMS = 4;

// `matched`: rooms passing every filter in rooms_current (migration 0008), which holds only rooms
// of their server's latest successful listing: insertProbeResults tombstones a room that vanished,
// so no pass check is needed here. The filters are a WHERE, applied after FINAL, so an older version
// of a room (its old name or size) can never match. Search words use LIKE on the lower-cased
// search_text; the ngrambf_v1 index skips granules under FINAL in exact mode (SETTINGS below).
// Only the filters a search uses are placed in the SQL (fixed fragments; every value stays a bound
// parameter): an unused `search_text LIKE '%'` would still read the widest column of every room.
interface Used { words: number; protocol: boolean; language: boolean; server: boolean; type: boolean; members: boolean }
const matched = (u: Used) => `
  SELECT protocol, room_id, server, members, name, daily_days, daily_members
  FROM rooms_current FINAL
  WHERE server NOT IN (${HIDDEN_DOMAINS_SQL})
    AND (server, room_id) NOT IN (${HIDDEN_ROOMS_SQL})
    ${Array.from({ length: u.words }, (_, i) => `AND search_text LIKE {t${i}:String}`).join(' ')}
    ${u.protocol ? 'AND protocol = {protocol:String}' : ''}
    ${u.language ? 'AND language = {language:String}' : ''}
    ${u.server ? 'AND server = {server:String}' : ''}
    ${u.type ? 'AND room_type = {type:String}' : ''}
    ${u.members ? 'AND members >= {minMembers:UInt32} AND members <= {maxMembers:UInt32}' : ''}`;

const SETTINGS = 'SETTINGS use_skip_indexes_if_final = 1, use_skip_indexes_if_final_exact_mode = 1';

// Growth from the row's own daily series (rooms_current.daily_days/daily_members): members now minus
// the size on the earliest day of the window. The series covers 30 days up to the row's observation,
// so this equals the daily-table answer whenever the window starts no earlier than that, i.e. for
// growthDays <= GROWTH_DAYS_KEPT and a "now" not before the observation's day.
const GROWTH = `toInt64(members) - toInt64(if(arrayFirstIndex((d) -> d >= {since:Date}, daily_days) = 0, members,
  daily_members[arrayFirstIndex((d) -> d >= {since:Date}, daily_days)]))`;

// The page is cut on the narrow columns (key, sort keys), then its rows are read whole by primary key:
// the wide text columns of a million matches are never read. The total is the query's own count of
// rows before LIMIT (exact_rows_before_limit), so ORDER BY ... LIMIT stays a top-N, where a
// count() OVER () would sort every match (the legacy growth query still uses one).
// Growth over a longer window than the rows keep joins the daily member series of every match, which
// costs a scan of that window (the pre-0008 way; see BENCHMARKS.md).
const pageSql = (sort: keyof typeof ORDER, series: boolean, u: Used) => sort === 'growth' && !series
  ? `
WITH matched AS (${matched(u)})
SELECT m.protocol AS protocol, m.room_id AS room_id, m.server AS server,
       toInt64(m.members) - toInt64(if(g.room_id = '', m.members, g.past)) AS growth, count() OVER () AS total
FROM matched AS m
LEFT JOIN (
  SELECT protocol, room_id, argMin(members, day) AS past
  FROM room_members_daily_v1
  WHERE day >= {since:Date} AND (protocol, room_id) IN (SELECT protocol, room_id FROM matched)
  GROUP BY protocol, room_id
) AS g ON g.protocol = m.protocol AND g.room_id = m.room_id
ORDER BY ${ORDER.growth}
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
${SETTINGS}`
  : `
SELECT protocol, room_id, server, ${sort === 'growth' ? GROWTH : 'toInt64(0)'} AS growth
FROM (${matched(u)})
ORDER BY ${ORDER[sort]}
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
${SETTINGS}`;

// The page's rows, whole, with growth from the row's series. The room's current row is re-read
// through FINAL (if it was superseded since the page query, the newer row is shown).
const rowsSql = `
SELECT protocol, room_id, server, address, name, topic, members, language, room_type,
       world_readable, guest_can_join, join_rule, federates, avatar_url, observed_at, ${GROWTH} AS growth
FROM rooms_current FINAL
WHERE protocol IN {protocols:Array(String)} AND room_id IN {ids:Array(String)}
  AND (protocol, room_id) IN (SELECT arrayJoin(arrayZip({protocols:Array(String)}, {ids:Array(String)})))`;

/** `%word%` with LIKE's own metacharacters escaped. */
function likeTerm(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The room directory: words in `q` must all occur in a room's name, topic,
 * address or id; filters by protocol, language, size, server and kind; sort by
 * members, name or growth over `growthDays` (from the daily member series each
 * row of rooms_current keeps, or from `room_members_daily_v1` beyond 30 days).
 * Only rooms still listed by their server's latest successful listing appear;
 * rooms and servers hidden or opted out (registrations, opt_outs) never do.
 */
export async function searchRooms(db: Db, params: SearchRoomsParams = {}): Promise<RoomPage> {
  const sort = params.sort ?? 'members';
  if (!(sort in ORDER)) throw new TypeError(`unknown sort ${JSON.stringify(sort)}`);
  const limit = params.limit ?? 25;
  const page = params.page ?? 1;
  const words = (params.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, MAX_TERMS);
  const terms = Object.fromEntries(words.map((w, i) => [`t${i}`, likeTerm(w)]));
  const now = params.now ?? new Date();
  const growthDays = params.growthDays ?? 30;
  const since = new Date(now.getTime() - growthDays * 86_400_000).toISOString().slice(0, 10);
  const series = growthDays <= GROWTH_DAYS_KEPT;
  type Key = { protocol: Protocol; room_id: string; server: string; growth: number; total?: number };
  const rs = await db.client.query({
    query: pageSql(sort, series, {
      words: words.length, protocol: !!params.protocol, language: !!params.language, server: !!params.server,
      type: (params.type ?? 'all') !== 'all', members: params.minMembers !== undefined || params.maxMembers !== undefined,
    }),
    format: 'JSON',
    query_params: {
      ...terms,
      protocol: params.protocol ?? '', language: params.language ?? '', server: params.server ?? '', type: params.type ?? 'all',
      minMembers: params.minMembers ?? 0, maxMembers: params.maxMembers ?? 0xffffffff,
      since, limit, offset: (page - 1) * limit,
    },
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, prefer_column_name_to_alias: 1, exact_rows_before_limit: 1 },
  });
  const answer = await rs.json<Key>();
  const keys = answer.data;
  const total = Number(keys[0]?.total ?? answer.rows_before_limit_at_least ?? 0);
  const pairs = keys.map((k) => [k.protocol, k.room_id] as const);
  const whole = keys.length === 0 ? [] : await queryRows<RoomRow>(db, rowsSql, {
    since, protocols: pairs.map((p) => p[0]), ids: pairs.map((p) => p[1]),
  });
  const byKey = new Map(whole.map((r) => [`${r.protocol}\0${r.room_id}`, r]));
  // A room tombstoned between the two reads is dropped from the page rather than shown stale.
  const rows: RoomRow[] = keys.flatMap((k) => {
    const r = byKey.get(`${k.protocol}\0${k.room_id}`);
    return r ? [{ ...r, growth: Number(sort === 'growth' ? k.growth : r.growth) }] : [];
  });
  if (!series && sort !== 'growth') {
    const past = await getRoomGrowth(db, { since, rooms: pairs });
    const byRoom = new Map(past.map((p) => [`${p.protocol}\0${p.room_id}`, p.past]));
    for (const r of rows) r.growth = r.members - (byRoom.get(`${r.protocol}\0${r.room_id}`) ?? r.members);
  }
  return {
    rows: rows.map((r) => ({ ...r, observed_at: toIso(r.observed_at) })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / limit)),
  };
}
