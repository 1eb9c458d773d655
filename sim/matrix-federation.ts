/**
 * A simulated Matrix federation on loopback (TEST ONLY), block 127.20.0.0/16:
 * our DNS server (dns-server.ts) holds A/SRV records, each homeserver is a
 * fake HTTPS server (fake-https.ts) on its own 127.20.x.y address with its
 * own certificate from the test CA (test-ca.ts). Response bodies follow what
 * Synapse 1.163.2 sends (tests/fixtures/matrix-*, captured from the real one);
 * the signing keys are real ed25519 signatures over canonical JSON.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canonicalJson } from '../crawler/protocol/matrix-json.ts';
import { ProbeError } from '../crawler/errors.ts';
import { parseXMatrixHeader, verifyFederationRequest } from '../crawler/protocol/matrix-request-auth.ts';
import { startFakeServer, json, type FakeServer, type Handler } from './fake-https.ts';
import type { TestCa } from './test-ca.ts';

/** A room as the fake directory lists it (Synapse `PublishedRoomsChunk` field names). */
export interface FakeRoom {
  room_id: string;
  name?: string;
  topic?: string;
  canonical_alias?: string;
  num_joined_members: number;
  world_readable: boolean;
  guest_can_join: boolean;
  join_rule?: string;
  room_type?: string;
}

/** What a fake homeserver's Matrix API answers. */
export interface FakeApiOptions {
  serverName: string;
  software?: { name: string; version: string };
  rooms?: FakeRoom[];
  /** Page size used when the client asks for more. @default 100 */
  maxPage?: number;
  /** Pagination tokens contain `+` and `/` like Synapse's; the server checks they arrive intact. @default true */
  awkwardTokens?: boolean;
  /** Directory answers 401 M_MISSING_TOKEN (Synapse without allow_public_rooms_without_auth). */
  directoryAuthRequired?: boolean;
  /** Endless pagination: every page has a new next_batch (to test page caps). */
  endless?: boolean;
  /** Registration answer to `POST /register {}`. @default Synapse's 403 "Registration has been disabled" */
  register?: { status: number; body: unknown };
  /**
   * The federation directory (`GET /_matrix/federation/v1/publicRooms`), as Synapse 1.163.2 answers it:
   * with `allow_public_rooms_over_federation: true` the same rooms as the client directory, less the
   * `m.federate: false` ones (`localOnly`), to requests signed by one of `trusted` (origin → its public
   * key, unpadded base64; a real server fetches it, which tests/e2e/matrix/synapse-federation.test.ts
   * shows with the real Synapse); 401 `M_UNAUTHORIZED` for a missing or bad signature. `shared: false`:
   * Synapse's default, 403 `M_FORBIDDEN` "Federation denied with <origin>." to a correctly signed request
   * (recorded: tests/fixtures/matrix-federation-public-rooms/synapse-1.163.2-federation-denied.input.json).
   * Absent: no origin is trusted (every request 401).
   */
  federationDirectory?: { trusted: Record<string, string>; localOnly?: readonly string[]; /** @default true */ shared?: boolean };
  /**
   * `GET /_matrix/federation/v1/query/directory?room_alias=` (signed by a `federationDirectory.trusted`
   * origin): alias → servers in the room. Synapse answers `{"room_id", "servers"}` for its own aliases
   * and 404 M_NOT_FOUND for unknown ones (synapse/handlers/directory.py `on_directory_query`).
   */
  aliasServers?: Record<string, string[]>;
}

/** Unpadded base64 (Matrix appendix). */
const b64 = (buf: Buffer): string => buf.toString('base64').replace(/=+$/, '');

/** A `/_matrix/key/v2/server` body signed with a fresh ed25519 key. */
export function signedServerKeys(serverName: string, validUntil: number): unknown {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const body: Record<string, unknown> = { old_verify_keys: {}, server_name: serverName, valid_until_ts: validUntil, verify_keys: { 'ed25519:test': { key: b64(raw) } } };
  const signature = sign(null, Buffer.from(canonicalJson(body) ?? '', 'utf8'), privateKey);
  return { ...body, signatures: { [serverName]: { 'ed25519:test': b64(signature) } } };
}

const query = (req: IncomingMessage): URLSearchParams => new URL(req.url ?? '/', 'https://x').searchParams;

/** Routes of a Synapse-like homeserver API. Tokens received are logged in `tokensSeen`. */
export function matrixApiRoutes(opts: FakeApiOptions, tokensSeen: string[] = []): Record<string, Handler> {
  const rooms = opts.rooms ?? [];
  const maxPage = opts.maxPage ?? 100;
  // Synapse's tokens are base64 with '+' and '/' (PROTOCOLS.md): a client that does not URL-encode them breaks.
  const token = (offset: number): string => (opts.awkwardTokens ?? true ? `t+${offset}/a=b&c` : String(offset));
  const offsetOf = (since: string): number => Number(/^t\+(\d+)\/a=b&c$/.exec(since)?.[1] ?? since) || 0;
  return {
    '/_matrix/federation/v1/version': json({ server: opts.software ?? { name: 'Synapse', version: '1.163.2' } }),
    '/_matrix/key/v2/server': json(signedServerKeys(opts.serverName, Date.now() + 86_400_000)),
    '/_matrix/client/versions': json({ versions: ['r0.6.1', 'v1.1', 'v1.11', 'v1.15'], unstable_features: { 'org.matrix.msc3827.stable': true, 'org.matrix.msc3026.busy_presence': false } }),
    '/_matrix/client/v3/login': json({ flows: [{ type: 'm.login.password' }, { type: 'm.login.application_service' }] }),
    '/_matrix/client/v3/register': (req, res) => {
      const r = opts.register ?? { status: 403, body: { errcode: 'M_FORBIDDEN', error: 'Registration has been disabled' } };
      if (req.method !== 'POST') return json({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }, 405)(req, res);
      return json(r.body, r.status)(req, res);
    },
    '/_matrix/client/v3/publicRooms': (req, res) => {
      if (opts.directoryAuthRequired) return json({ errcode: 'M_MISSING_TOKEN', error: 'Missing access token' }, 401)(req, res);
      return directoryPage(req, res, rooms);
    },
    '/_matrix/federation/v1/query/directory': (req, res) => {
      if (verifiedOrigin(req, opts.serverName, opts.federationDirectory?.trusted ?? {}) === null) return json({ errcode: 'M_UNAUTHORIZED', error: 'Invalid signature' }, 401)(req, res);
      const alias = query(req).get('room_alias') ?? '';
      const room = rooms.find((r) => r.canonical_alias === alias);
      if (!room || !alias.endsWith(`:${opts.serverName}`)) return json({ errcode: 'M_NOT_FOUND', error: 'Room alias not found' }, 404)(req, res);
      return json({ room_id: room.room_id, servers: opts.aliasServers?.[alias] ?? [opts.serverName] })(req, res);
    },
    '/_matrix/federation/v1/publicRooms': (req, res) => {
      // Synapse checks the signature first, then the setting (synapse/federation/transport/server/_base.py, federation.py).
      const origin = verifiedOrigin(req, opts.serverName, opts.federationDirectory?.trusted ?? {});
      if (origin === null) return json({ errcode: 'M_UNAUTHORIZED', error: 'Invalid signature' }, 401)(req, res);
      if (!opts.federationDirectory || opts.federationDirectory.shared === false) return json({ errcode: 'M_FORBIDDEN', error: `Federation denied with ${origin}.` }, 403)(req, res);
      const localOnly = new Set(opts.federationDirectory.localOnly ?? []);
      return directoryPage(req, res, rooms.filter((r) => !localOnly.has(r.room_id)));
    },
  };

  function directoryPage(req: IncomingMessage, res: ServerResponse, rooms: readonly FakeRoom[]): unknown {
      const q = query(req);
      const since = q.get('since') ?? '';
      if (since) tokensSeen.push(since);
      const limit = Math.min(Number(q.get('limit') ?? maxPage) || maxPage, maxPage);
      const start = offsetOf(since);
      if (opts.endless) {
        return json({ chunk: [{ room_id: `!r${start}:${opts.serverName}`, num_joined_members: 1, world_readable: false, guest_can_join: false }], next_batch: token(start + 1), total_room_count_estimate: 1e6 })(req, res);
      }
      const chunk = rooms.slice(start, start + limit);
      const next = start + limit < rooms.length ? token(start + limit) : undefined;
      return json({ chunk, ...(next ? { next_batch: next } : {}), ...(start > 0 ? { prev_batch: token(start) } : {}), total_room_count_estimate: rooms.length })(req, res);
  }
}

/** The origin of a request signed by one of `trusted` for `serverName`, or null. */
function verifiedOrigin(req: IncomingMessage, serverName: string, trusted: Record<string, string>): string | null {
  const auth = parseXMatrixHeader(String(req.headers.authorization ?? ''));
  if (auth instanceof ProbeError) return null;
  const key = trusted[auth.origin];
  if (key === undefined) return null;
  const ok = verifyFederationRequest({ method: req.method ?? 'GET', uri: req.url ?? '/' }, auth, serverName, key);
  return ok === true ? auth.origin : null;
}

/** One running fake homeserver. */
export interface FakeHomeserver {
  servers: FakeServer[];
  close(): Promise<void>;
}

/**
 * Start listeners for one simulated host: `listeners` maps a port to its routes;
 * all share one certificate for `certNames` from the test CA.
 */
export async function startHomeserver(ca: TestCa, address: string, certNames: string[], listeners: Record<number, Record<string, Handler>>): Promise<FakeHomeserver> {
  const cert = await ca.issue(certNames);
  const servers: FakeServer[] = [];
  try {
    for (const [port, routes] of Object.entries(listeners)) {
      servers.push(await startFakeServer({ host: address, port: Number(port), tls: { certPem: cert.certPem, keyPem: cert.keyPem }, routes }));
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  return { servers, close: async () => { await Promise.all(servers.map((s) => s.close())); } };
}
