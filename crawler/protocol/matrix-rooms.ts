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
 */
import { ProbeError } from '../errors.ts';
import { bool, isObject, nonNegInt, parseJsonObject, str } from './matrix-json.ts';

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
}

/** Most rooms kept from one page. @default 500 */
export const MAX_ROOMS_PER_PAGE = 500;
/** Longest pagination token we follow (Synapse tokens are ~30 characters). @default 1000 */
export const MAX_TOKEN_LENGTH = 1000;

/** A room id: `!` then an opaque part (room v12 ids carry no server name). */
export function isRoomId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 2 && value.length <= 255 && value.startsWith('!') && !/\s/.test(value);
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
  const rooms: ListedRoom[] = [];
  let dropped = Math.max(0, list.length - maxRooms);
  const seen = new Set<string>();
  for (const entry of list.slice(0, maxRooms)) {
    const room = readRoom(entry);
    if (!room || seen.has(room.roomId)) { dropped += 1; continue; }
    seen.add(room.roomId);
    rooms.push(room);
  }
  const next = doc['next_batch'];
  const nextBatch = typeof next === 'string' && next.length <= MAX_TOKEN_LENGTH ? next : '';
  return { rooms, nextBatch, totalEstimate: nonNegInt(doc['total_room_count_estimate']), dropped };
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
