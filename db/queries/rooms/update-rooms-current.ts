import type { Db } from '../../client.ts';
import type { Protocol, ProbeResult } from '../../../crawler/types.ts';
import { roomSnapshotRow, type RoomColumns } from '../../rows.ts';
import { queryRows } from '../../query-rows.ts';

/** A room of rooms_current before this batch: who lists it now. */
interface PreviousRoom {
  protocol: Protocol;
  server: string;
  room_id: string;
}

// Rooms each of the batch's servers lists now (FINAL drops tombstoned rooms and rooms whose newer row
// names another server). The server bloom filter skips granules; exact mode keeps FINAL correct.
const previousSql = `
SELECT protocol, server, room_id FROM rooms_current FINAL
WHERE (protocol, server) IN (SELECT arrayJoin(arrayZip({protocols:Array(String)}, {servers:Array(String)})))
SETTINGS use_skip_indexes_if_final = 1, use_skip_indexes_if_final_exact_mode = 1`;

// The daily size series of the batch's rooms, from the earliest window start on: primary-key ranges of
// room_members_daily_v1 (ORDER BY protocol, room_id, day), so it reads only these rooms.
const dailySql = `
SELECT protocol, room_id, groupArray(toString(day)) AS days, groupArray(m) AS ms
FROM (
  SELECT protocol, room_id, day, max(members) AS m FROM room_members_daily_v1
  WHERE day >= {from:Date} AND protocol IN {protocols:Array(String)} AND room_id IN {ids:Array(String)}
    AND (protocol, room_id) IN (SELECT arrayJoin(arrayZip({protocols:Array(String)}, {ids:Array(String)})))
  GROUP BY protocol, room_id, day
  ORDER BY protocol, room_id, day
)
GROUP BY protocol, room_id`;

/**
 * One row written to rooms_current (migrations 0008, 0012): an upsert
 * (`is_deleted` 0) or a tombstone (1). The room index (db/room-index) applies
 * these rows as this writer makes them and as the store returns them.
 */
export interface RoomsCurrentRow extends RoomColumns {
  /** The observation time in ms: the newest version of a room wins. */
  version: number;
  is_deleted: 0 | 1;
  /** Epoch ms. */
  observed_at: number;
  /** Wall-clock time of the write, epoch ms: what other processes' indexes follow (migration 0012). */
  inserted_at: number;
  pass_id: string;
  avatar_url: string;
  /** 1 declared, the detector's lead when detected, 0 none (migration 0013). */
  language_confidence: number;
  world_readable: boolean | null;
  guest_can_join: boolean | null;
  join_rule: string;
  room_type: string;
  /** false: local-only (migration 0012); null: not known. */
  federates: boolean | null;
  /** ISO days, oldest first, of the daily size series over the 30 days up to the observation. */
  daily_days: string[];
  daily_members: number[];
}

/** Days of daily size kept with each row of rooms_current (migration 0008), before the observation's day. */
export const GROWTH_DAYS_KEPT = 30;

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const key = (protocol: string, id: string) => `${protocol}\0${id}`;

/**
 * The rows to write to rooms_current for a batch of probe results: each
 * successful listing's rooms, and a tombstone for every room its server
 * listed before (or earlier in this batch) but not in its latest listing.
 * A room another server of the batch lists is never tombstoned, so a room
 * moving between servers stays. Reads the previous rooms of the batch's
 * servers in one query. Replaying a batch computes the same upserts and no
 * new tombstones, so the result is the same whether or not it ran before.
 * `insertedAt` (@default now) stamps the rows for the indexes that follow the table.
 */
export async function roomsCurrentRows(db: Db, results: ProbeResult[], insertedAt: number = Date.now()): Promise<RoomsCurrentRow[]> {
  // Each server's latest successful listing in the batch, and every ok listing in time order.
  const ok = results.filter((r) => r.snapshot.status === 'ok')
    .sort((a, b) => a.snapshot.observedAt.getTime() - b.snapshot.observedAt.getTime());
  if (ok.length === 0) return [];
  const latest = new Map<string, ProbeResult>();
  for (const r of ok) latest.set(key(r.snapshot.protocol, r.snapshot.domain), r);
  const servers = [...latest.values()].map((r) => r.snapshot);
  const previous = await queryRows<PreviousRoom>(db, previousSql, {
    protocols: servers.map((s) => s.protocol),
    servers: servers.map((s) => s.domain),
  });
  // Rooms in some server's latest listing of this batch: these are listed, whoever listed them before.
  const listed = new Set<string>();
  for (const r of latest.values()) for (const room of r.rooms) listed.add(key(room.protocol, room.roomId));

  const rows: RoomsCurrentRow[] = [];
  // Candidates for a tombstone per server: what it listed before, plus its earlier listings in this batch.
  const before = new Map<string, Map<string, PreviousRoom>>();
  const candidates = (protocol: string, server: string) => {
    const k = key(protocol, server);
    let m = before.get(k);
    if (!m) before.set(k, m = new Map());
    return m;
  };
  for (const p of previous) candidates(p.protocol, p.server).set(key(p.protocol, p.room_id), p);
  const dailyRooms = new Map<string, readonly [string, string]>();
  for (const r of ok) for (const room of r.rooms) dailyRooms.set(key(room.protocol, room.roomId), [room.protocol, room.roomId]);
  const earliest = ok.reduce((min, r) => r.rooms.reduce((m, room) => Math.min(m, room.observedAt.getTime()), min), Infinity);
  const daily = dailyRooms.size === 0 ? [] : await queryRows<{ protocol: string; room_id: string; days: string[]; ms: number[] }>(db, dailySql, {
    from: isoDay(earliest - GROWTH_DAYS_KEPT * DAY_MS),
    protocols: [...dailyRooms.values()].map((p) => p[0]),
    ids: [...dailyRooms.values()].map((p) => p[1]),
  });
  const series = new Map(daily.map((d) => [key(d.protocol, d.room_id), d]));
  for (const r of ok) {
    for (const room of r.rooms) {
      const row = roomSnapshotRow(room);
      const { children: _children, ...rest } = row;
      // The series over [observation day - GROWTH_DAYS_KEPT, observation day].
      const to = isoDay(room.observedAt.getTime());
      const from = isoDay(room.observedAt.getTime() - GROWTH_DAYS_KEPT * DAY_MS);
      const s = series.get(key(room.protocol, room.roomId));
      const kept = s ? s.days.flatMap((d, i) => d >= from && d <= to ? [[d, Number(s.ms[i])] as const] : []) : [];
      rows.push({
        ...rest, version: row.observed_at, is_deleted: 0, inserted_at: insertedAt,
        daily_days: kept.map((k) => k[0]), daily_members: kept.map((k) => k[1]),
      });
      candidates(r.snapshot.protocol, r.snapshot.domain).set(key(room.protocol, room.roomId), { protocol: room.protocol, server: room.server, room_id: room.roomId });
    }
  }
  for (const [k, r] of latest) {
    const s = r.snapshot;
    for (const [roomKey, p] of before.get(k) ?? []) {
      if (listed.has(roomKey)) continue;
      rows.push({
        version: s.observedAt.getTime(), is_deleted: 1, observed_at: s.observedAt.getTime(), inserted_at: insertedAt, pass_id: s.passId,
        protocol: p.protocol, room_id: p.room_id, server: s.domain, address: '', name: '', topic: '', members: 0,
        avatar_url: '', language: '', language_confidence: 0, world_readable: null, guest_can_join: null, join_rule: '', room_type: 'room', federates: null,
        daily_days: [], daily_members: [],
      });
    }
  }
  return rows;
}
