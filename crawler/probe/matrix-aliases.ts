/**
 * Resolve the aliases of the rooms a server lists to the servers in those rooms (MRS's richest
 * discovery source). Only aliases ON the probed server are asked, and only of that server: asking
 * one server about another server's alias would make it dial out on our behalf (issue 12, no
 * probing by proxy). With a federation identity the signed federation query is used
 * (`GET /_matrix/federation/v1/query/directory`), else the client one, which Synapse answers
 * without a token (`GET /_matrix/client/v3/directory/room/{roomAlias}`).
 *
 * A few queries are in flight at once ({@link ALIAS_CONCURRENCY}, never more than the network
 * layer's per-host concurrency, whose slots and interval still space them: crawler/policy/politeness.ts).
 * Each answer amends its own observation (the handle `requestObserved` returns), and the answers are
 * judged in the rooms' order, so which queries are sent, the order of the observations and of the
 * servers found depend on the answers, never on which arrived first.
 */
import { ProbeError } from '../errors.ts';
import { parseDirectoryQuery } from '../protocol/matrix-directory-query.ts';
import { serverNameOfId } from '../protocol/matrix-server-name.ts';
import type { ListedRoom } from '../protocol/matrix-rooms.ts';
import type { Observation } from '../types.ts';
import type { MatrixRecorder, ObservedRequest, Origin } from './matrix-http.ts';
import { signedHeaders, type FederationIdentity } from './matrix-signed.ts';

/** Most aliases resolved per probe (the largest rooms first: they name the most servers). @default 20 */
export const MAX_ALIAS_QUERIES = 20;

/**
 * Most alias queries in flight at once; the network layer's per-host concurrency (`perHostConcurrency`,
 * 1 or 2) caps it further, so no query waits in its queue holding a request it may not need. Why 4:
 * sequential queries cost one round trip each (issue 11, "+1.4 s floor per server"), and a server
 * that refuses them (401/403, unreachable) is sent at most this many before the refusal is read.
 * @default 4
 */
export const ALIAS_CONCURRENCY = 4;

/** Where and how aliases are asked. */
export interface AliasAccess {
  /** The probed server's Matrix name: only its own aliases are asked. */
  serverName: string;
  /** The federation endpoint and identity (signed), or the client origin (unsigned). */
  federation: { origin: Origin; identity: FederationIdentity } | null;
  client: Origin | null;
}

const STEP = 'matrix.alias-servers';

/** What one answer says about asking more: go on, an alias the server does not know, or stop. */
type Verdict = 'more' | 'unknown' | 'stop';

/**
 * Servers named by the aliases of `rooms`, each once, in the rooms' order. Never throws; each query
 * is one observation, and they stay in the rooms' order among the recorder's observations.
 */
export async function aliasServers(rec: MatrixRecorder, rooms: readonly ListedRoom[], access: AliasAccess, max = MAX_ALIAS_QUERIES, concurrency = ALIAS_CONCURRENCY): Promise<string[]> {
  const own = rooms
    .filter((r) => r.address !== '' && serverNameOfId(r.address)?.text === access.serverName)
    .sort((a, b) => b.members - a.members)
    .slice(0, max);
  const limit = Math.max(1, Math.min(concurrency, rec.ctx.config.perHostConcurrency));
  const asked: Promise<ObservedRequest>[] = [];
  const ordered: Observation[] = [];
  const found = new Set<string>();
  let unknown = 0;
  let stopped = false;
  // Answers are judged in the order asked: whether the next alias is asked depends only on the answers before it.
  const judgeNext = async (): Promise<void> => {
    const answer = await asked[ordered.length]!;
    ordered.push(answer.observation);
    const verdict = judge(rec, answer, found);
    if (verdict === 'stop') stopped = true;
    // An alias the server no longer knows (a stale canonical alias); a server that knows none of
    // them (or lacks the endpoint) is not asked more than three times.
    else if (verdict === 'unknown' && ++unknown >= 3) stopped = true;
  };
  for (const room of own) {
    // At most `limit` in flight: the oldest answer is judged before the next query is sent.
    if (asked.length - ordered.length >= limit) await judgeNext();
    if (stopped) break;
    if (access.federation) {
      const path = `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(room.address)}`;
      const headers = signedHeaders(access.federation.identity, access.serverName, 'GET', path);
      if (headers instanceof ProbeError) {
        asked.push(Promise.resolve({ result: headers, observation: rec.record(STEP, headers.code, 0, { alias: room.address }, '', headers.message) }));
        break;
      }
      asked.push(rec.requestObserved(STEP, access.federation.origin, path, { headers, facts: { alias: room.address, signed: true } }));
    } else if (access.client) {
      asked.push(rec.requestObserved(STEP, access.client, `/_matrix/client/v3/directory/room/${encodeURIComponent(room.address)}`, { facts: { alias: room.address, signed: false } }));
    } else {
      break;
    }
  }
  // The queries still in flight when asking stopped are judged too: each was sent and is recorded.
  while (ordered.length < asked.length) await judgeNext();
  inOrder(rec.observations, ordered);
  return [...found];
}

/** Amend the observation of one answer with what it says, add the servers it names to `found`. */
function judge(rec: MatrixRecorder, { result: res, observation: obs }: ObservedRequest, found: Set<string>): Verdict {
  // A failure that says the server will not answer these (refused, unreachable) ends the asking: no point asking 19 more times.
  if (res instanceof ProbeError) return 'stop';
  if (res.status !== 200) {
    if (res.status === 401 || res.status === 403) { rec.amendObservation(obs, 'auth-required', {}); return 'stop'; }
    if (res.status === 404) { rec.amendObservation(obs, 'absent', {}); return 'unknown'; }
    return 'stop';
  }
  const parsed = parseDirectoryQuery(res.bodyText);
  if (parsed instanceof ProbeError) { rec.amendObservation(obs, parsed.code, {}, parsed.message); return 'more'; }
  rec.amendObservation(obs, 'ok', { servers: parsed.servers.length, dropped: parsed.dropped });
  for (const s of parsed.servers) found.add(s);
  return 'more';
}

/**
 * Put `ordered` (observations of `all`, recorded in the order their answers arrived) back in the
 * order given, in the places they took: the other observations keep theirs.
 */
function inOrder(all: Observation[], ordered: readonly Observation[]): void {
  const mine = new Set(ordered);
  let next = 0;
  for (let i = 0; i < all.length && next < ordered.length; i++) {
    if (mine.has(all[i]!)) all[i] = ordered[next++]!;
  }
}
