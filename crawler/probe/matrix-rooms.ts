/**
 * Public room directory walk of one homeserver: every `publicRooms` page
 * (bounded by pages and rooms, `since` URL-encoded, loops detected), then
 * the hierarchy of public spaces where the server allows it without a token.
 * Spec references in crawler/protocol/matrix-rooms.ts.
 *
 * Rooms that opted out by a marker in their topic are withheld by the parser;
 * here they are counted in the page's facts and cut out of the page's raw
 * record, so no trace of them (id, name, topic) reaches the store.
 */
import { ProbeError } from '../errors.ts';
import { parseHierarchyPage, parsePublicRoomsResponse, withoutOptedOutRooms, type FederationListing, type ListedRoom } from '../protocol/matrix-rooms.ts';
import type { MatrixRecorder, Origin } from './matrix-http.ts';

/** Limits of one walk. */
export interface RoomWalkLimits {
  /** Most directory pages. @default 50 */
  maxPages: number;
  /** Most rooms kept. @default 5000 */
  maxRooms: number;
  /** `limit` asked per page. @default 100 */
  pageSize: number;
  /** Most spaces whose hierarchy is walked. @default 20 */
  maxSpaces: number;
  /** Most hierarchy pages per space. @default 3 */
  maxHierarchyPages: number;
}

export const DEFAULT_ROOM_WALK: RoomWalkLimits = { maxPages: 50, maxRooms: 5000, pageSize: 100, maxSpaces: 20, maxHierarchyPages: 3 };

/** What the walk found. */
export interface RoomWalk {
  /** `ok`, `auth-required`, `truncated`, or a ProbeError code of the first page. */
  outcome: string;
  rooms: ListedRoom[];
  pages: number;
  totalEstimate: number | null;
  /** Child → via servers met in hierarchies (discoveries). */
  via: string[];
  error: string;
  /** Rooms withheld by their own opt-out marker, over every page read. */
  optedOut: number;
  /**
   * The server's federation directory, to tell local-only rooms
   * (crawler/protocol/matrix-rooms.ts `federatesFrom`). null: not read by this
   * walk, which reads the client directory only (the federation one needs a
   * signed request: issue 11).
   */
  federation: FederationListing | null;
}

/** Replace the raw body of the last `step` observation with the page minus its opted-out rooms. */
function withholdFromRaw(rec: MatrixRecorder, step: string, bodyText: string, key: 'chunk' | 'rooms'): void {
  const obs = rec.observations.findLast((o) => o.step === step);
  // No longer than what the recorder kept of the whole page (its raw cap): the compact
  // re-serialisation without some rooms is never longer than the page itself.
  if (obs) obs.raw = withoutOptedOutRooms(bodyText, key).slice(0, obs.raw.length);
}

/** Walk the directory, then space hierarchies. Never throws. */
export async function walkRooms(rec: MatrixRecorder, origin: Origin, limits: RoomWalkLimits = DEFAULT_ROOM_WALK): Promise<RoomWalk> {
  const rooms = new Map<string, ListedRoom>();
  const seenTokens = new Set<string>();
  let since = '';
  let pages = 0;
  let totalEstimate: number | null = null;
  let outcome = 'ok';
  let error = '';
  let optedOut = 0;
  while (pages < limits.maxPages) {
    const step = 'matrix.public-rooms';
    const path = `/_matrix/client/v3/publicRooms?limit=${limits.pageSize}${since ? `&since=${encodeURIComponent(since)}` : ''}`;
    const res = await rec.request(step, origin, path, { facts: { page: pages } });
    if (res instanceof ProbeError) {
      if (pages === 0) { outcome = res.code; error = res.message; } else { outcome = 'truncated'; error = res.message; }
      break;
    }
    pages += 1;
    const parsed = parsePublicRoomsResponse(res.status, res.bodyText, limits.pageSize * 2);
    if (parsed instanceof ProbeError) {
      rec.amend(step, parsed.code, {}, parsed.message);
      if (pages === 1) { outcome = parsed.code; error = parsed.message; } else { outcome = 'truncated'; error = parsed.message; }
      break;
    }
    if ('authRequired' in parsed) {
      // Synapse without allow_public_rooms_without_auth: an expected result, not a failure.
      rec.amend(step, 'auth-required', { errcode: parsed.errcode });
      outcome = 'auth-required';
      break;
    }
    totalEstimate ??= parsed.totalEstimate;
    for (const room of parsed.rooms) {
      if (rooms.size >= limits.maxRooms) break;
      if (!rooms.has(room.roomId)) rooms.set(room.roomId, room);
    }
    if (parsed.optedOut > 0) withholdFromRaw(rec, step, res.bodyText, 'chunk');
    optedOut += parsed.optedOut;
    rec.amend(step, 'ok', { rooms: parsed.rooms.length, dropped: parsed.dropped, optedOut: parsed.optedOut, nextBatch: parsed.nextBatch !== '' });
    if (rooms.size >= limits.maxRooms) { outcome = 'truncated'; error = `room cap of ${limits.maxRooms} reached`; break; }
    if (!parsed.nextBatch || parsed.rooms.length === 0) break;
    if (seenTokens.has(parsed.nextBatch)) { outcome = 'truncated'; error = 'pagination token repeated (loop)'; break; }
    seenTokens.add(parsed.nextBatch);
    since = parsed.nextBatch;
    if (pages >= limits.maxPages) { outcome = 'truncated'; error = `page cap of ${limits.maxPages} reached`; }
  }
  const via = new Set<string>();
  const spaces = [...rooms.values()].filter((r) => r.roomType === 'space').slice(0, limits.maxSpaces);
  for (const space of spaces) {
    const found = await walkHierarchy(rec, origin, space.roomId, limits);
    if (found === null) continue;
    space.children = found.children;
    for (const v of found.via) via.add(v);
  }
  return { outcome, rooms: [...rooms.values()], pages, totalEstimate, via: [...via], error, optedOut, federation: null };
}

/** One space's hierarchy; null when the server refuses it (usually: needs a token). */
async function walkHierarchy(rec: MatrixRecorder, origin: Origin, roomId: string, limits: RoomWalkLimits): Promise<{ children: string[]; via: string[] } | null> {
  const children = new Set<string>();
  const via = new Set<string>();
  let from = '';
  for (let page = 0; page < limits.maxHierarchyPages; page++) {
    const step = 'matrix.space-hierarchy';
    const path = `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/hierarchy?limit=50&max_depth=1${from ? `&from=${encodeURIComponent(from)}` : ''}`;
    const res = await rec.request(step, origin, path, { facts: { roomId, page } });
    if (res instanceof ProbeError) return null;
    if (res.status === 401 || res.status === 403) { rec.amend(step, 'auth-required', {}); return null; }
    // No hierarchy endpoint (older servers) or no such space: nothing published there, not a failure.
    if (res.status === 404 || res.status === 405) { rec.amend(step, 'absent', {}); return null; }
    // No hierarchy endpoint (older servers) or no such space: nothing published there, not a failure.
    if (res.status === 404 || res.status === 405) { rec.amend(step, 'absent', {}); return null; }
    if (res.status !== 200) return null;
    const parsed = parseHierarchyPage(res.bodyText);
    if (parsed instanceof ProbeError) { rec.amend(step, parsed.code, {}, parsed.message); return null; }
    if (parsed.optedOut > 0) {
      withholdFromRaw(rec, step, res.bodyText, 'rooms');
      rec.amend(step, 'ok', { optedOut: parsed.optedOut });
    }
    for (const room of parsed.rooms) {
      if (room.roomId !== roomId) continue;
      for (const c of room.children) children.add(c);
      for (const v of room.via) via.add(v);
    }
    if (!parsed.nextBatch) break;
    from = parsed.nextBatch;
  }
  return { children: [...children], via: [...via] };
}
