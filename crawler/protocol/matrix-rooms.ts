/**
 * Matrix public room directory and space hierarchy pages.
 *
 * Spec: Matrix Specification v1.16, Client-Server API
 * - `GET /_matrix/client/v3/publicRooms` (`PublishedRoomsChunk`):
 *   https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3publicrooms
 * - `GET /_matrix/client/v1/rooms/{roomId}/hierarchy` (`SpaceHierarchyRoomsChunk`, `m.space.child` state):
 *   https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidhierarchy
 *
 * Pages are bounded: at most `maxRooms` rooms kept per page, text fields cut.
 * A chunk entry without a usable `room_id` is dropped and counted.
 * A room whose topic carries an opt-out marker (crawler/protocol/room-opt-out.ts)
 * is withheld: not returned, only counted, and dropped from its space's children.
 *
 * `m.federate` (the `m.room.create` content that makes a room local-only) is in
 * neither answer: `PublishedRoomsChunk` and `SpaceHierarchyRoomsChunk` carry no
 * such field (spec above), Synapse's `build_room_entry` in
 * `synapse/handlers/room_list.py` and `_build_room_entry` in
 * `synapse/handlers/room_summary.py` never add it, and the room state that holds
 * it needs an account. What is visible is Synapse leaving such rooms out of the
 * federation directory (`get_largest_public_rooms(..., ignore_non_federatable=True)`
 * for requests from another server): {@link federatesFrom} reads it from there.
 */
import { ProbeError } from '../errors.ts';
import { bool, isObject, nonNegInt, parseJsonObject, str, type JsonObject } from './matrix-json.ts';
import { hasNoindexMarker } from './room-opt-out.ts';

/** One room as a directory page lists it (RoomSnapshot without pass-level fields). */
export interface ListedRoom {
  roomId: string;
  /** `canonical_alias`, or ''. */
  address: string;
  name: string;
  topic: string;
  members: number;
  avatarUrl: string;
  worldReadable: boolean | null;
  guestCanJoin: boolean | null;
  /** `join_rule` (`public`, `knock`, …); the spec default when absent is `public`. */
  joinRule: string;
  /** `space` when `room_type` is `m.space`. */
  roomType: 'room' | 'space';
  /** Child room ids (`m.space.child` state keys), hierarchy pages only. */
  children: string[];
  /** Server names from `via` lists of `m.space.child` events, hierarchy pages only. */
  via: string[];
}

/** One parsed page. */
export interface RoomPage {
  rooms: ListedRoom[];
  /** Token for the next page, or '' at the end. */
  nextBatch: string;
  /** `total_room_count_estimate`, or null. */
  totalEstimate: number | null;
  /** Entries dropped as malformed, or over `maxRooms`. */
  dropped: number;
  /** Rooms withheld by their own opt-out marker (counted, never returned). */
  optedOut: number;
}

/** Most rooms kept from one page. @default 500 */
export const MAX_ROOMS_PER_PAGE = 500;
/** Longest pagination token we follow (Synapse tokens are ~30 characters). @default 1000 */
export const MAX_TOKEN_LENGTH = 1000;

/** A room id: `!` then an opaque part (room v12 ids carry no server name). */
export function isRoomId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 2 && value.length <= 255 && value.startsWith('!') && !/\s/.test(value);
}

/** The room's own topic asks to stay out of indexes (read before the topic is cut for display). */
function optsOut(entry: JsonObject): boolean {
  return typeof entry['topic'] === 'string' && hasNoindexMarker(entry['topic']);
}

/** Read one directory/hierarchy entry; null when unusable. */
function readRoom(entry: unknown): ListedRoom | null {
  if (!isObject(entry) || !isRoomId(entry['room_id'])) return null;
  const children: string[] = [];
  const via = new Set<string>();
  const state = entry['children_state'];
  if (Array.isArray(state)) {
    for (const event of state.slice(0, 1000)) {
      if (!isObject(event) || event['type'] !== 'm.space.child' || !isRoomId(event['state_key'])) continue;
      const content = event['content'];
      const vias = isObject(content) ? content['via'] : undefined;
      // An m.space.child without `via` is a removed child (spec "m.space.child").
      if (!Array.isArray(vias) || vias.length === 0) continue;
      if (!children.includes(event['state_key'])) children.push(event['state_key']);
      for (const v of vias.slice(0, 20)) if (typeof v === 'string' && v.length <= 300) via.add(v);
    }
  }
  const alias = str(entry['canonical_alias'], 300);
  return {
    roomId: entry['room_id'],
    address: alias.startsWith('#') ? alias : '',
    name: str(entry['name'], 300),
    topic: str(entry['topic'], 2000),
    members: nonNegInt(entry['num_joined_members']) ?? 0,
    avatarUrl: str(entry['avatar_url'], 500),
    worldReadable: bool(entry['world_readable']),
    guestCanJoin: bool(entry['guest_can_join']),
    joinRule: str(entry['join_rule'], 50) || 'public',
    roomType: entry['room_type'] === 'm.space' ? 'space' : 'room',
    children,
    via: [...via],
  };
}

/** Parse a list of entries under `key` with the page bound. */
function readPage(text: string, key: 'chunk' | 'rooms', maxRooms: number): RoomPage | ProbeError {
  const doc = parseJsonObject(text, 16 * 1024 * 1024);
  if (doc instanceof ProbeError) return doc;
  const list = doc[key];
  if (!Array.isArray(list)) return new ProbeError('json.schema', `"${key}" is missing or not an array`);
  const next = doc['next_batch'];
  const nextBatch = typeof next === 'string' && next.length <= MAX_TOKEN_LENGTH ? next : '';
  return { ...readList(list, maxRooms), nextBatch, totalEstimate: nonNegInt(doc['total_room_count_estimate']) };
}

/** The rooms of one list of entries: bounded, deduplicated, opted-out rooms withheld. */
function readList(list: unknown[], maxRooms: number): Pick<RoomPage, 'rooms' | 'dropped' | 'optedOut'> {
  const rooms: ListedRoom[] = [];
  let dropped = Math.max(0, list.length - maxRooms);
  const seen = new Set<string>();
  const withheld = new Set<string>();
  for (const entry of list.slice(0, maxRooms)) {
    if (isObject(entry) && isRoomId(entry['room_id']) && optsOut(entry)) { withheld.add(entry['room_id']); continue; }
    const room = readRoom(entry);
    if (!room || seen.has(room.roomId)) { dropped += 1; continue; }
    seen.add(room.roomId);
    rooms.push(room);
  }
  // A space keeps no trace of a child that opted out (hierarchy pages list the children beside it).
  if (withheld.size > 0) for (const room of rooms) room.children = room.children.filter((c) => !withheld.has(c));
  return { rooms, dropped, optedOut: withheld.size };
}

/**
 * Parse a federation hierarchy answer, `GET /_matrix/federation/v1/hierarchy/{roomId}`: the space
 * itself is `room` (with its `children_state`) and its accessible children are `children`, in one
 * unpaged answer. Returned as a page whose first room is the space, like the client hierarchy.
 * Spec: Server-Server API v1.16, https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1hierarchyroomid
 */
export function parseFederationHierarchy(text: string, maxRooms: number = MAX_ROOMS_PER_PAGE): RoomPage | ProbeError {
  const doc = parseJsonObject(text, 16 * 1024 * 1024);
  if (doc instanceof ProbeError) return doc;
  if (!isObject(doc['room'])) return new ProbeError('json.schema', '"room" is missing or not an object');
  const children = Array.isArray(doc['children']) ? doc['children'] : [];
  return { ...readList([doc['room'], ...children], maxRooms), nextBatch: '', totalEstimate: null };
}

/**
 * The page as JSON without the rooms that opted out (nor their `m.space.child`
 * events), for an observation's raw record: the rest can still be re-parsed,
 * and nothing of those rooms is stored. '' when the text is not a JSON object.
 */
export function withoutOptedOutRooms(text: string, key: 'chunk' | 'rooms'): string {
  const doc = parseJsonObject(text, 16 * 1024 * 1024);
  if (doc instanceof ProbeError) return '';
  const list = doc[key];
  if (!Array.isArray(list)) return JSON.stringify(doc);
  const withheld = new Set(list.filter((e): e is JsonObject => isObject(e) && optsOut(e)).map((e) => String(e['room_id'])));
  const kept = list.filter((e) => !(isObject(e) && optsOut(e))).map((e) => {
    if (!isObject(e) || !Array.isArray(e['children_state'])) return e;
    return { ...e, children_state: e['children_state'].filter((c) => !(isObject(c) && withheld.has(String(c['state_key'])))) };
  });
  return JSON.stringify({ ...doc, [key]: kept });
}

/** The federation directory of the same server, as far as it was read. */
export interface FederationListing {
  /** Room ids its federation `publicRooms` listed. */
  roomIds: ReadonlySet<string>;
  /** Every page was read (no cap, loop or error cut it short). */
  complete: boolean;
}

/**
 * Does a room of the client directory federate? `true` when the server's
 * federation directory lists it too; `false` when a complete federation
 * listing leaves it out (Synapse does so for `m.federate: false` rooms, and
 * for rooms whose server ACL refuses the asking server: either way users of
 * other servers cannot join through it); `null` when there is no federation
 * listing or it was cut short.
 */
export function federatesFrom(roomId: string, federation: FederationListing | null): boolean | null {
  if (!federation) return null;
  if (federation.roomIds.has(roomId)) return true;
  return federation.complete ? false : null;
}

/** Parse one `publicRooms` page. */
export function parsePublicRoomsPage(text: string, maxRooms: number = MAX_ROOMS_PER_PAGE): RoomPage | ProbeError {
  return readPage(text, 'chunk', maxRooms);
}

/** Parse one space `hierarchy` page (the first room is the space itself). */
export function parseHierarchyPage(text: string, maxRooms: number = MAX_ROOMS_PER_PAGE): RoomPage | ProbeError {
  return readPage(text, 'rooms', maxRooms);
}

/** A directory that needs an access token: an expected outcome, not a failure. */
export interface AuthRequired {
  authRequired: true;
  status: number;
  errcode: string;
}

/**
 * Interpret a `publicRooms` answer by status: 200 → page; 401/403 with a
 * Matrix error (Synapse's `M_MISSING_TOKEN` when `allow_public_rooms_without_auth`
 * is off) → {@link AuthRequired}; anything else → ProbeError `http.status`.
 */
export function parsePublicRoomsResponse(status: number, text: string, maxRooms: number = MAX_ROOMS_PER_PAGE): RoomPage | AuthRequired | ProbeError {
  if (status === 200) return parsePublicRoomsPage(text, maxRooms);
  if (status === 401 || status === 403) {
    const doc = parseJsonObject(text, 64 * 1024);
    const errcode = doc instanceof ProbeError ? '' : str(doc['errcode'], 100);
    return { authRequired: true, status, errcode };
  }
  return new ProbeError('http.status', `publicRooms answered HTTP ${status}`);
}
