/**
 * A room alias resolved to its room and the servers in it.
 *
 * Spec: Matrix Specification v1.16
 * - Server-Server API, `GET /_matrix/federation/v1/query/directory?room_alias=…` (signed):
 *   https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1querydirectory
 * - Client-Server API, `GET /_matrix/client/v3/directory/room/{roomAlias}` (no token needed;
 *   Synapse answers it unauthenticated): https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3directoryroomroomalias
 * Both answer `{"room_id": "!…", "servers": ["a.example", …]}`. The servers are those the alias's
 * server believes to be in the room: MRS's richest discovery source (etkecc/mrs
 * `internal/services/matrix/` resolves every alias this way).
 */
import { ProbeError } from '../errors.ts';
import { parseJsonObject } from './matrix-json.ts';
import { isRoomId } from './matrix-rooms.ts';
import { parseServerName } from './matrix-server-name.ts';

/** Most servers kept from one answer (big rooms list thousands; the frontier needs a sample). */
export const MAX_ALIAS_SERVERS = 500;

/** What an alias resolves to. */
export interface AliasResolution {
  roomId: string;
  /** Valid server names, each once, at most {@link MAX_ALIAS_SERVERS}. */
  servers: string[];
  /** Entries dropped as invalid or over the cap. */
  dropped: number;
}

/** Parse a directory query answer (bounded: 1 MiB). */
export function parseDirectoryQuery(text: string): AliasResolution | ProbeError {
  const doc = parseJsonObject(text, 1024 * 1024);
  if (doc instanceof ProbeError) return doc;
  if (!isRoomId(doc['room_id'])) return new ProbeError('json.schema', '"room_id" is missing or not a room id');
  const list = doc['servers'];
  if (!Array.isArray(list)) return new ProbeError('json.schema', '"servers" is missing or not an array');
  const servers = new Set<string>();
  let dropped = 0;
  for (const entry of list) {
    if (servers.size >= MAX_ALIAS_SERVERS) { dropped += 1; continue; }
    const name = typeof entry === 'string' && entry.length <= 300 ? parseServerName(entry) : null;
    if (name === null || name instanceof ProbeError) { dropped += 1; continue; }
    servers.add(name.text);
  }
  return { roomId: doc['room_id'], servers: [...servers], dropped };
}
