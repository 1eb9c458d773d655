/**
 * The two room directories of one homeserver put together: the client directory (read without a
 * token) and the federation directory (read with Chatlas's signed requests, when it has a
 * federation identity). Real servers mostly share only the second (Synapse refuses the first
 * without a token since v1.7.0: `allow_public_rooms_without_auth: false`, and so do conduwuit and
 * tuwunel), and a room listed only in the first is one other servers cannot join (Synapse leaves
 * `m.federate: false` rooms out of the federation directory: `synapse/handlers/room_list.py`,
 * `ignore_non_federatable`). Pure.
 */
import type { DirectoryExposure, ReportItem } from '../types.ts';
import type { FederationListing, ListedRoom } from '../protocol/matrix-rooms.ts';
import type { RoomWalk } from './matrix-rooms.ts';

/** What the two walks say together. */
export interface Directories {
  /** Every room listed, federation directory first; a room in both is taken from the federation one. */
  rooms: ListedRoom[];
  /** Servers named in space hierarchies (discoveries). */
  via: string[];
  /** Which directories answered with a listing. */
  exposure: DirectoryExposure;
  /** The federation listing, to tell local-only rooms (`federatesFrom`); null when not read. */
  federation: FederationListing | null;
  /** Rooms withheld by their own opt-out marker (the larger count of the two walks: mostly the same rooms). */
  optedOut: number;
}

/** A walk that got at least one page of listing (all of it, or cut by a cap). */
export function answered(walk: RoomWalk | null): boolean {
  return walk !== null && (walk.outcome === 'ok' || walk.outcome === 'truncated');
}

/** Put the client walk and the federation walk (either may be absent) together. */
export function combineDirectories(client: RoomWalk | null, federation: RoomWalk | null): Directories {
  const byId = new Map<string, ListedRoom>();
  for (const room of answered(federation) ? federation!.rooms : []) byId.set(room.roomId, room);
  for (const room of answered(client) ? client!.rooms : []) if (!byId.has(room.roomId)) byId.set(room.roomId, room);
  const c = answered(client);
  const f = answered(federation);
  return {
    rooms: [...byId.values()],
    via: [...new Set([...(federation?.via ?? []), ...(client?.via ?? [])])],
    exposure: c && f ? 'both' : f ? 'federation' : c ? 'client' : 'none',
    federation: federation?.federation ?? null,
    optedOut: Math.max(client?.optedOut ?? 0, federation?.optedOut ?? 0),
  };
}

/**
 * The health report's words on the directories: what was read, what was refused and why, and
 * rooms that only local users can join.
 * @param identity whether Chatlas had a federation identity to read the federation directory with.
 */
export function directoryReport(client: RoomWalk | null, federation: RoomWalk | null, identity: boolean): ReportItem[] {
  const items: ReportItem[] = [];
  const clientClosed = client?.outcome === 'auth-required';
  if (answered(federation)) {
    items.push({ step: 'matrix.federation-public-rooms', level: 'ok', message: `The room directory is shared over federation: ${federation!.rooms.length} room${federation!.rooms.length === 1 ? '' : 's'}${federation!.outcome === 'truncated' ? ' read (cut short by a limit)' : ''}.` });
  } else if (federation?.outcome === 'auth-required' && federation.error === 'M_UNAUTHORIZED') {
    items.push({
      step: 'matrix.federation-public-rooms', level: 'warn',
      message: 'The server refused Chatlas\'s signed request for its federation room directory (M_UNAUTHORIZED): it could not verify the signature, for example because it cannot fetch Chatlas\'s signing key.',
    });
  } else if (federation?.outcome === 'auth-required') {
    items.push({
      step: 'matrix.federation-public-rooms', level: 'info',
      message: `The room directory is not shared over federation${clientClosed ? ', and the client directory needs an access token: no rooms are listed' : ''}.`,
      fix: 'To list public rooms for other servers (and Chatlas), allow the directory over federation (Synapse: allow_public_rooms_over_federation: true).',
    });
  } else if (federation && federation.outcome !== 'ok') {
    items.push({ step: 'matrix.federation-public-rooms', level: 'warn', message: `The federation room directory could not be read: ${federation.error || federation.outcome}.` });
  } else if (!identity && clientClosed) {
    items.push({
      step: 'matrix.public-rooms', level: 'info',
      message: 'The client room directory needs an access token, and this Chatlas has no federation identity to read the federation directory (CHATLAS_MATRIX_SERVER_NAME), so no rooms are listed.',
    });
  } else if (clientClosed) {
    items.push({ step: 'matrix.public-rooms', level: 'info', message: 'The client room directory needs an access token.' });
  }
  if (answered(client) && federation?.federation?.complete) {
    const shared = federation.federation.roomIds;
    const localOnly = client!.rooms.filter((r) => !shared.has(r.roomId)).length;
    if (localOnly > 0) {
      items.push({ step: 'matrix.federation-public-rooms', level: 'info', message: `${localOnly} room${localOnly === 1 ? ' is' : 's are'} in the client directory but not shared over federation: local-only, so not offered to other servers' users.` });
    }
  }
  return items;
}
