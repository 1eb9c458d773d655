/**
 * Public room directory walk of one homeserver: every `publicRooms` page
 * (bounded by pages and rooms, `since` URL-encoded, loops detected), then
 * the hierarchy of public spaces where the server allows it. The same walk
 * reads either directory (a {@link DirectoryAccess}): the client one without
 * a token, or the federation one with requests signed by Chatlas's federation
 * identity (crawler/probe/matrix-signed.ts), which is what real servers share
 * (Synapse's `allow_public_rooms_over_federation`).
 * Spec references in crawler/protocol/matrix-rooms.ts.
 *
 * Rooms that opted out by a marker in their topic are withheld by the parser;
 * here they are counted in the page's facts and cut out of the page's raw
 * record, so no trace of them (id, name, topic) reaches the store.
 */
import { ProbeError } from '../errors.ts';
import { parseFederationHierarchy, parseHierarchyPage, parsePublicRoomsResponse, withoutOptedOutRooms, type FederationListing, type ListedRoom } from '../protocol/matrix-rooms.ts';
import type { MatrixRecorder, Origin } from './matrix-http.ts';
import { signedHeaders, type FederationIdentity } from './matrix-signed.ts';

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
   * (crawler/protocol/matrix-rooms.ts `federatesFrom`). null: not read (no
   * federation identity, or the walk of the client directory alone).
   */
  federation: FederationListing | null;
}

/** Which directory a walk reads and how its requests are made. */
export interface DirectoryAccess {
  /** Observation step of its directory pages and of its hierarchy pages. */
  step: string;
  hierarchyStep: string;
  /** `publicRooms` page path. */
  pagePath(limit: number, since: string): string;
  /** Headers of one GET of `uri` (the X-Matrix signature), or why it cannot be sent. */
  headers(uri: string): Record<string, string> | ProbeError;
  /** Which hierarchy endpoint spaces are walked with. */
  hierarchy: 'client' | 'federation';
}

const pageQuery = (limit: number, since: string): string => `limit=${limit}${since ? `&since=${encodeURIComponent(since)}` : ''}`;

/** The client directory, without a token (`GET /_matrix/client/v3/publicRooms`). */
export const CLIENT_DIRECTORY: DirectoryAccess = {
  step: 'matrix.public-rooms',
  hierarchyStep: 'matrix.space-hierarchy',
  pagePath: (limit, since) => `/_matrix/client/v3/publicRooms?${pageQuery(limit, since)}`,
  headers: () => ({}),
  hierarchy: 'client',
};

/**
 * The federation directory of `destination` (its Matrix server name), with every request signed
 * by `identity` (`GET /_matrix/federation/v1/publicRooms`, Server-Server API v1.16 "Public Room
 * List"; spaces through `GET /_matrix/federation/v1/hierarchy/{roomId}`).
 */
export function federationDirectory(identity: FederationIdentity, destination: string): DirectoryAccess {
  return {
    step: 'matrix.federation-public-rooms',
    hierarchyStep: 'matrix.federation-space-hierarchy',
    pagePath: (limit, since) => `/_matrix/federation/v1/publicRooms?${pageQuery(limit, since)}`,
    headers: (uri) => signedHeaders(identity, destination, 'GET', uri),
    hierarchy: 'federation',
  };
}

/** One GET of a walk: signed when the access says so; a signing failure is recorded like a request failure. */
async function get(rec: MatrixRecorder, access: DirectoryAccess, step: string, origin: Origin, path: string, facts: Record<string, unknown>) {
  const headers = access.headers(path);
  if (headers instanceof ProbeError) {
    rec.record(step, headers.code, 0, facts, '', headers.message);
    return headers;
  }
  return rec.request(step, origin, path, { facts, headers });
}

/** Replace the raw body of the last `step` observation with the page minus its opted-out rooms. */
function withholdFromRaw(rec: MatrixRecorder, step: string, bodyText: string, key: 'chunk' | 'rooms'): void {
  const obs = rec.observations.findLast((o) => o.step === step);
  // No longer than what the recorder kept of the whole page (its raw cap): the compact
  // re-serialisation without some rooms is never longer than the page itself.
  if (obs) obs.raw = withoutOptedOutRooms(bodyText, key).slice(0, obs.raw.length);
}

/** Walk the directory, then space hierarchies. Never throws. */
export async function walkRooms(rec: MatrixRecorder, origin: Origin, limits: RoomWalkLimits = DEFAULT_ROOM_WALK, access: DirectoryAccess = CLIENT_DIRECTORY): Promise<RoomWalk> {
  const rooms = new Map<string, ListedRoom>();
  const seenTokens = new Set<string>();
  let since = '';
  let pages = 0;
  let totalEstimate: number | null = null;
  let outcome = 'ok';
  let error = '';
  let optedOut = 0;
  while (pages < limits.maxPages) {
    const step = access.step;
    const path = access.pagePath(limits.pageSize, since);
    const res = await get(rec, access, step, origin, path, { page: pages });
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
      // The Matrix error code says why: M_MISSING_TOKEN (client directory), M_FORBIDDEN (federation
      // directory not shared), M_UNAUTHORIZED (our signature refused).
      error = parsed.errcode;
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
    // An empty page ends the walk; a page whose every room opted out (or was malformed) is not empty:
    // the rooms after it are still listed (Synapse orders by members, then room id, so such a page can come first).
    if (!parsed.nextBatch || parsed.rooms.length + parsed.optedOut + parsed.dropped === 0) break;
    if (seenTokens.has(parsed.nextBatch)) { outcome = 'truncated'; error = 'pagination token repeated (loop)'; break; }
    seenTokens.add(parsed.nextBatch);
    since = parsed.nextBatch;
    if (pages >= limits.maxPages) { outcome = 'truncated'; error = `page cap of ${limits.maxPages} reached`; }
  }
  const via = new Set<string>();
  const spaces = [...rooms.values()].filter((r) => r.roomType === 'space').slice(0, limits.maxSpaces);
  for (const space of spaces) {
    const found = await walkHierarchy(rec, origin, space.roomId, limits, access);
    if (found === null) continue;
    space.children = found.children;
    for (const v of found.via) via.add(v);
  }
  const federation: FederationListing | null = access.hierarchy === 'federation' && (outcome === 'ok' || outcome === 'truncated')
    ? { roomIds: new Set(rooms.keys()), complete: outcome === 'ok' }
    : null;
  return { outcome, rooms: [...rooms.values()], pages, totalEstimate, via: [...via], error, optedOut, federation };
}

/** One space's hierarchy; null when the server refuses it (usually: needs a token). */
async function walkHierarchy(rec: MatrixRecorder, origin: Origin, roomId: string, limits: RoomWalkLimits, access: DirectoryAccess): Promise<{ children: string[]; via: string[] } | null> {
  const children = new Set<string>();
  const via = new Set<string>();
  let from = '';
  const federation = access.hierarchy === 'federation';
  // The federation hierarchy is one unpaged answer (`suggested_only` false: every child).
  for (let page = 0; page < (federation ? 1 : limits.maxHierarchyPages); page++) {
    const step = access.hierarchyStep;
    const path = federation
      ? `/_matrix/federation/v1/hierarchy/${encodeURIComponent(roomId)}?suggested_only=false`
      : `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/hierarchy?limit=50&max_depth=1${from ? `&from=${encodeURIComponent(from)}` : ''}`;
    const res = await get(rec, access, step, origin, path, { roomId, page });
    if (res instanceof ProbeError) return null;
    if (res.status === 401 || res.status === 403) { rec.amend(step, 'auth-required', {}); return null; }
    // No hierarchy endpoint (older servers) or no such space: nothing published there, not a failure.
    if (res.status === 404 || res.status === 405) { rec.amend(step, 'absent', {}); return null; }
    if (res.status !== 200) return null;
    const parsed = federation ? parseFederationHierarchy(res.bodyText) : parseHierarchyPage(res.bodyText);
    if (parsed instanceof ProbeError) { rec.amend(step, parsed.code, {}, parsed.message); return null; }
    if (parsed.optedOut > 0) {
      if (!federation) withholdFromRaw(rec, step, res.bodyText, 'rooms');
      else { const obs = rec.observations.findLast((o) => o.step === step); if (obs) obs.raw = ''; }
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
