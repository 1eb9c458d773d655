/**
 * New Matrix server names from what one server published: room ids
 * (`!x:server`; room v12 ids have no server part), canonical aliases
 * (`#a:server`), `via` lists of space children, support contacts
 * (`@admin:server`). Pure; normalised, deduplicated, bounded.
 */
import type { Discovery, DiscoveryVia } from '../types.ts';
import type { ListedRoom } from '../protocol/matrix-rooms.ts';
import { parseServerName, serverNameOfId } from '../protocol/matrix-server-name.ts';
import { ProbeError } from '../errors.ts';

/** Most discoveries returned for one server. @default 2000 */
export const MAX_DISCOVERIES = 2000;

/** Inputs of {@link matrixDiscoveries}. */
export interface FrontierInput {
  /** The server that published the data (never returned as a discovery). */
  sourceDomain: string;
  rooms: readonly ListedRoom[];
  /** `via` server names from hierarchies. */
  via: readonly string[];
  /** Matrix ids of support contacts. */
  contacts: readonly string[];
  /** Servers in the server's rooms, from resolving their aliases (`query/directory`). @default [] */
  aliasServers?: readonly string[];
  foundAt: Date;
}

/** Server names found, each once, with the first way it was found. */
export function matrixDiscoveries(input: FrontierInput): Discovery[] {
  const out = new Map<string, Discovery>();
  const self = input.sourceDomain.toLowerCase();
  const add = (name: string | null, via: DiscoveryVia): void => {
    if (!name || name === self || out.has(name) || out.size >= MAX_DISCOVERIES) return;
    out.set(name, { domain: name, protocol: 'matrix', via, sourceDomain: input.sourceDomain, foundAt: input.foundAt });
  };
  const fromId = (id: string): string | null => serverNameOfId(id)?.text ?? null;
  for (const room of input.rooms) {
    add(fromId(room.roomId), 'room-id');
    if (room.address) add(fromId(room.address), 'room-alias');
    for (const v of room.via) add(plain(v), 'room-via');
  }
  for (const v of input.via) add(plain(v), 'room-via');
  for (const id of input.contacts) add(fromId(id), 'contact');
  for (const name of input.aliasServers ?? []) add(plain(name), 'alias-servers');
  return [...out.values()];
}

/** A bare server name from a `via` entry, or null. */
function plain(name: string): string | null {
  const parsed = parseServerName(name);
  return parsed instanceof ProbeError ? null : parsed.text;
}
