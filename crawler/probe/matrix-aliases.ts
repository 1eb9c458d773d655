/**
 * Resolve the aliases of the rooms a server lists to the servers in those rooms (MRS's richest
 * discovery source). Only aliases ON the probed server are asked, and only of that server: asking
 * one server about another server's alias would make it dial out on our behalf (issue 12, no
 * probing by proxy). With a federation identity the signed federation query is used
 * (`GET /_matrix/federation/v1/query/directory`), else the client one, which Synapse answers
 * without a token (`GET /_matrix/client/v3/directory/room/{roomAlias}`).
 */
import { ProbeError } from '../errors.ts';
import { parseDirectoryQuery } from '../protocol/matrix-directory-query.ts';
import { serverNameOfId } from '../protocol/matrix-server-name.ts';
import type { ListedRoom } from '../protocol/matrix-rooms.ts';
import type { MatrixRecorder, Origin } from './matrix-http.ts';
import { signedHeaders, type FederationIdentity } from './matrix-signed.ts';

/** Most aliases resolved per probe (the largest rooms first: they name the most servers). @default 20 */
export const MAX_ALIAS_QUERIES = 20;

/** Where and how aliases are asked. */
export interface AliasAccess {
  /** The probed server's Matrix name: only its own aliases are asked. */
  serverName: string;
  /** The federation endpoint and identity (signed), or the client origin (unsigned). */
  federation: { origin: Origin; identity: FederationIdentity } | null;
  client: Origin | null;
}

/** Servers named by the aliases of `rooms`, each once. Never throws; each query is one observation. */
export async function aliasServers(rec: MatrixRecorder, rooms: readonly ListedRoom[], access: AliasAccess, max = MAX_ALIAS_QUERIES): Promise<string[]> {
  const own = rooms
    .filter((r) => r.address !== '' && serverNameOfId(r.address)?.text === access.serverName)
    .sort((a, b) => b.members - a.members)
    .slice(0, max);
  const found = new Set<string>();
  let unknown = 0;
  for (const room of own) {
    const step = 'matrix.alias-servers';
    let res;
    if (access.federation) {
      const path = `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(room.address)}`;
      const headers = signedHeaders(access.federation.identity, access.serverName, 'GET', path);
      if (headers instanceof ProbeError) { rec.record(step, headers.code, 0, { alias: room.address }, '', headers.message); break; }
      res = await rec.request(step, access.federation.origin, path, { headers, facts: { alias: room.address, signed: true } });
    } else if (access.client) {
      res = await rec.request(step, access.client, `/_matrix/client/v3/directory/room/${encodeURIComponent(room.address)}`, { facts: { alias: room.address, signed: false } });
    } else {
      break;
    }
    // A failure that says the server will not answer these (refused, unreachable) ends the loop: no point asking 19 more times.
    if (res instanceof ProbeError) break;
    if (res.status !== 200) {
      if (res.status === 401 || res.status === 403) { rec.amend(step, 'auth-required', {}); break; }
      // An alias the server no longer knows (a stale canonical alias); a server that knows none of
      // them (or lacks the endpoint) is not asked more than three times.
      if (res.status === 404) { rec.amend(step, 'absent', {}); if (++unknown >= 3) break; continue; }
      break;
    }
    const parsed = parseDirectoryQuery(res.bodyText);
    if (parsed instanceof ProbeError) { rec.amend(step, parsed.code, {}, parsed.message); continue; }
    rec.amend(step, 'ok', { servers: parsed.servers.length, dropped: parsed.dropped });
    for (const s of parsed.servers) found.add(s);
  }
  return [...found];
}
