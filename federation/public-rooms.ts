/**
 * Chatlas as a room directory server for Matrix clients: the federation `publicRooms` endpoints,
 * answered from Chatlas's own index, so a person can type the Chatlas server name into Element's
 * or Cinny's "Explore rooms" and search every indexed room (their homeserver asks us over
 * federation, signed).
 *
 * Spec: Matrix Server-Server API v1.16, "Public Room List":
 * `GET /_matrix/federation/v1/publicRooms` (query `limit`, `since`, `include_all_networks`,
 * `third_party_instance_id`) and `POST /_matrix/federation/v1/publicRooms` (body adds
 * `filter.generic_search_term` and `filter.room_types`); the answer is a `PublishedRoomsChunk`
 * list with `next_batch`/`prev_batch` tokens and `total_room_count_estimate`.
 * https://spec.matrix.org/v1.16/server-server-api/#public-room-directory
 *
 * Pure: parsing the query, the tokens and shaping the answer. The rooms come from a
 * {@link DirectorySource} (the store's room search, which already leaves out hidden rooms and
 * opted-out servers).
 */
import { z } from 'zod';

/** Largest page answered (Synapse caps its own at 100 per page too, in practice). */
export const MAX_PUBLIC_ROOMS_LIMIT = 100;
/** Page size when the client gives none. */
export const DEFAULT_PUBLIC_ROOMS_LIMIT = 20;
/** Longest search term kept. */
export const MAX_SEARCH_TERM = 200;
/** Deepest page offered (a bounded walk; past this, a client must search). */
const MAX_PAGE = 1000;

/** One room as the directory source returns it. */
export interface DirectoryRoom {
  roomId: string;
  canonicalAlias: string;
  name: string;
  topic: string;
  members: number;
  worldReadable: boolean | null;
  guestCanJoin: boolean | null;
  joinRule: string;
  avatarUrl: string;
  roomType: 'room' | 'space';
}

/** What the source is asked for. */
export interface DirectoryQuery {
  /** Search words ('' for all). */
  term: string;
  /** Only spaces, only rooms, or both. */
  type: 'all' | 'room' | 'space';
  limit: number;
  /** 1-based page of `limit` rooms. */
  page: number;
}

/** The store's room search, Matrix rooms only. */
export type DirectorySource = (query: DirectoryQuery) => Promise<{ rooms: DirectoryRoom[]; total: number }>;

const filterSchema = z.object({
  generic_search_term: z.string().optional(),
  // null in the list means "rooms without a type" (spec: room_types, Matrix v1.4).
  room_types: z.array(z.string().nullable()).max(10).optional(),
}).loose();

const bodySchema = z.object({
  limit: z.number().int().optional(),
  since: z.string().max(100).optional(),
  filter: filterSchema.optional(),
  include_all_networks: z.boolean().optional(),
  third_party_instance_id: z.string().max(200).optional(),
}).loose();

/** A directory request, parsed: GET's query or POST's body. */
export type DirectoryRequest = DirectoryQuery | { error: string };

/** `since` tokens: `p<page>` in base 36 with the page size, so a token cannot ask another size. */
function readToken(since: string | undefined, limit: number): number | null {
  if (since === undefined || since === '') return 1;
  const m = /^p([0-9a-z]{1,4})\.([0-9a-z]{1,3})$/.exec(since);
  if (!m) return null;
  const page = parseInt(m[1]!, 36);
  return parseInt(m[2]!, 36) === limit && page >= 1 && page <= MAX_PAGE ? page : null;
}

function token(page: number, limit: number): string {
  return `p${page.toString(36)}.${limit.toString(36)}`;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return DEFAULT_PUBLIC_ROOMS_LIMIT;
  return Math.min(MAX_PUBLIC_ROOMS_LIMIT, Math.floor(limit));
}

function roomType(types: ReadonlyArray<string | null> | undefined): DirectoryQuery['type'] {
  if (!types || types.length === 0) return 'all';
  const space = types.includes('m.space');
  const plain = types.includes(null);
  return space && !plain ? 'space' : plain && !space ? 'room' : 'all';
}

/**
 * Parse a GET query (`URLSearchParams`) or a POST body (already JSON-parsed).
 * Third-party networks are not indexed: asking for one answers an empty list (`type` kept,
 * `limit` 0 means "none").
 */
export function parseDirectoryRequest(input: { query: URLSearchParams } | { body: unknown }): DirectoryRequest {
  if ('query' in input) {
    const raw = input.query.get('limit');
    const limit = clampLimit(raw === null || raw === '' ? undefined : Number(raw));
    const page = readToken(input.query.get('since') ?? undefined, limit);
    if (page === null) return { error: 'unknown since token' };
    return { term: '', type: 'all', limit, page };
  }
  const parsed = bodySchema.safeParse(input.body);
  if (!parsed.success) return { error: 'the body is not a publicRooms request' };
  const limit = clampLimit(parsed.data.limit);
  const page = readToken(parsed.data.since, limit);
  if (page === null) return { error: 'unknown since token' };
  const term = (parsed.data.filter?.generic_search_term ?? '').slice(0, MAX_SEARCH_TERM).trim();
  return { term, type: roomType(parsed.data.filter?.room_types), limit, page };
}

/** The spec's `PublishedRoomsChunk`, with only the fields we know (never invented). */
function chunk(room: DirectoryRoom): Record<string, unknown> {
  const out: Record<string, unknown> = {
    room_id: room.roomId,
    num_joined_members: room.members,
    world_readable: room.worldReadable ?? false,
    guest_can_join: room.guestCanJoin ?? false,
  };
  if (room.name) out['name'] = room.name;
  if (room.topic) out['topic'] = room.topic;
  if (room.canonicalAlias) out['canonical_alias'] = room.canonicalAlias;
  if (room.avatarUrl.startsWith('mxc://')) out['avatar_url'] = room.avatarUrl;
  if (room.joinRule) out['join_rule'] = room.joinRule;
  if (room.roomType === 'space') out['room_type'] = 'm.space';
  return out;
}

/** Answer one parsed request from `source`. */
export async function answerDirectory(request: DirectoryQuery, source: DirectorySource): Promise<Record<string, unknown>> {
  const { rooms, total } = await source(request);
  const body: Record<string, unknown> = { chunk: rooms.slice(0, request.limit).map(chunk), total_room_count_estimate: total };
  if (request.page * request.limit < total && request.page < MAX_PAGE) body['next_batch'] = token(request.page + 1, request.limit);
  if (request.page > 1) body['prev_batch'] = token(request.page - 1, request.limit);
  return body;
}
