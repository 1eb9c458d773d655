/**
 * Chatlas's federation endpoints against signed requests from simulated remote homeservers:
 * keys fetched through the guarded network layer (our DNS on 127.62.0.53, TLS from the test CA),
 * the signature checked, and every bad case answered 401 M_UNAUTHORIZED with nothing recorded.
 * The remote key responses are built by the same spec code a real server's would be checked
 * against, and signed with keys generated here; tests/unit/crawler/protocol holds the real
 * Synapse key responses.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey, type SigningKey } from '../../../crawler/protocol/matrix-signing.ts';
import { signFederationRequest } from '../../../crawler/protocol/matrix-request-auth.ts';
import { buildServerKeysResponse } from '../../../crawler/protocol/matrix-server-keys.ts';
import { createRemoteKeys, type RemoteKeys } from '../../../federation/remote-keys.ts';
import { createFederationHandler } from '../../../federation/federation-handler.ts';
import type { DirectoryQuery, DirectoryRoom } from '../../../federation/public-rooms.ts';
import type { VerifiedOrigin } from '../../../federation/verify-inbound.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa } from '../../../sim/test-ca.ts';
import { json, startFakeServer, type FakeServer } from '../../../sim/fake-https.ts';
import { testNetContext } from '../../harness/net-context.ts';
import type { NetContext } from '../../../crawler/net/context.ts';

const OUR_NAME = 'chatlas.test';
let dns: DnsServer;
let ctx: NetContext;
let remoteKeys: RemoteKeys;
let chatlas: Server;
let base = '';
const remotes: FakeServer[] = [];
const origins: VerifiedOrigin[] = [];
const queries: DirectoryQuery[] = [];
const remoteKey: SigningKey = generateSigningKey();
const otherKey: SigningKey = generateSigningKey();
let forbidden: FakeServer;
let ourKey: SigningKey;

const ROOMS: DirectoryRoom[] = Array.from({ length: 45 }, (_, i) => ({
  roomId: `!r${i}:listed.test`, canonicalAlias: `#room${i}:listed.test`, name: `Room ${i}`, topic: i === 3 ? 'about rust' : '',
  members: 100 - i, worldReadable: null, guestCanJoin: false, joinRule: 'public', avatarUrl: i === 0 ? 'mxc://listed.test/abc' : 'javascript:alert(1)', roomType: i === 1 ? 'space' : 'room',
}));

before(async () => {
  const ca = await createTestCa();
  dns = await startDnsServer({
    host: '127.62.0.53',
    zones: {
      'remote.test': { A: ['127.62.0.2'] },
      'stale.test': { A: ['127.62.0.3'] },
      'evil.test': { A: ['127.66.0.7'] },
    },
  });
  const now = Date.now();
  const cert = await ca.issue(['remote.test']);
  remotes.push(await startFakeServer({
    host: '127.62.0.2', port: 8448, tls: cert,
    routes: { '/_matrix/key/v2/server': json(buildServerKeysResponse({ serverName: 'remote.test', currentKey: remoteKey, now, validForMs: 3600_000 })) },
  }));
  // A server whose key response is signed by a key it does not list: not self-signed.
  const staleCert = await ca.issue(['stale.test']);
  const notSelfSigned = buildServerKeysResponse({ serverName: 'stale.test', currentKey: otherKey, now, validForMs: 3600_000 }) as Record<string, unknown>;
  notSelfSigned['verify_keys'] = { [remoteKey.keyId]: { key: remoteKey.publicKey } };
  remotes.push(await startFakeServer({ host: '127.62.0.3', port: 8448, tls: staleCert, routes: { '/_matrix/key/v2/server': json(notSelfSigned) } }));
  forbidden = await startFakeServer({ host: '127.66.0.7', port: 8448, routes: {} });
  ctx = testNetContext(dns, { caPem: ca.caPem, env: { CHATLAS_STEP_TIMEOUT_MS: '2000', CHATLAS_CONNECT_TIMEOUT_MS: '2000', CHATLAS_DNS_TIMEOUT_MS: '1000' } });
  remoteKeys = createRemoteKeys({ net: ctx, fetchesPerMinute: 5 });
  ourKey = generateSigningKey();
  const handler = createFederationHandler({
    serverName: OUR_NAME,
    keys: async () => ({ current: ourKey, old: [] }),
    remoteKeys,
    version: '0.1.0',
    delegateTo: 'chatlas.test:443',
    directory: async (q) => {
      queries.push(q);
      const matching = ROOMS.filter((r) => (q.term === '' || `${r.name} ${r.topic}`.includes(q.term)) && (q.type === 'all' || r.roomType === q.type));
      return { rooms: matching.slice((q.page - 1) * q.limit, q.page * q.limit), total: matching.length };
    },
    onOrigin: (o) => origins.push(o),
  });
  chatlas = createServer((req, res) => {
    handler(req, res).then((handled) => { if (!handled) { res.writeHead(404); res.end(); } }, () => { res.writeHead(500); res.end(); });
  });
  await new Promise<void>((resolve) => chatlas.listen(0, '127.62.0.1', resolve));
  base = `http://127.62.0.1:${(chatlas.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => chatlas?.close(() => resolve()));
  for (const r of remotes) await r.close();
  await forbidden?.close();
  await ctx?.close();
  await dns?.close();
});

/** Send a federation request signed as `origin` with `key` (for `destination`). */
async function signed(method: 'GET' | 'POST', uri: string, opts: { origin?: string; key?: SigningKey; destination?: string; content?: unknown; tamper?: (h: string) => string } = {}) {
  const origin = opts.origin ?? 'remote.test';
  const header = signFederationRequest({ method, uri, origin, destination: opts.destination ?? OUR_NAME, ...(opts.content !== undefined ? { content: opts.content } : {}) }, opts.key ?? remoteKey);
  assert.equal(typeof header, 'string');
  const res = await fetch(`${base}${uri}`, {
    method, headers: { authorization: opts.tamper ? opts.tamper(header as string) : header as string, ...(opts.content !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(opts.content !== undefined ? { body: JSON.stringify(opts.content) } : {}),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

test('our keys: self-signed, valid for at most 7 days, verifiable by the parser a remote server would use', async () => {
  const { parseServerKeysResponse } = await import('../../../crawler/protocol/matrix-server-keys.ts');
  const res = await fetch(`${base}/_matrix/key/v2/server`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const parsed = parseServerKeysResponse(text, OUR_NAME);
  assert.ok(!(parsed instanceof Error), String(parsed));
  assert.deepEqual(parsed.signedBy, [ourKey.keyId]);
  assert.ok(parsed.validUntilTs <= Date.now() + 7 * 86_400_000);
  const version = await (await fetch(`${base}/_matrix/federation/v1/version`)).json();
  assert.deepEqual(version, { server: { name: 'Chatlas', version: '0.1.0' } });
  assert.deepEqual(await (await fetch(`${base}/.well-known/matrix/server`)).json(), { 'm.server': 'chatlas.test:443' });
  const unknown = await fetch(`${base}/_matrix/federation/v1/send/1`, { method: 'PUT' });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).errcode, 'M_UNRECOGNIZED');
});

test('a signed GET publicRooms from a real origin is answered from the index, paged by next_batch', async () => {
  const first = await signed('GET', '/_matrix/federation/v1/publicRooms?limit=20');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const chunk = first.body['chunk'] as Array<Record<string, unknown>>;
  assert.equal(chunk.length, 20);
  assert.equal(first.body['total_room_count_estimate'], 45);
  assert.deepEqual(chunk[0], { room_id: '!r0:listed.test', num_joined_members: 100, world_readable: false, guest_can_join: false, name: 'Room 0', canonical_alias: '#room0:listed.test', avatar_url: 'mxc://listed.test/abc', join_rule: 'public' });
  assert.equal(chunk[1]?.['room_type'], 'm.space');
  assert.equal(chunk[2]?.['avatar_url'], undefined, 'a non-mxc avatar is never passed on');
  const since = first.body['next_batch'] as string;
  const second = await signed('GET', `/_matrix/federation/v1/publicRooms?limit=20&since=${since}`);
  assert.equal((second.body['chunk'] as unknown[]).length, 20);
  assert.equal(typeof second.body['prev_batch'], 'string');
  assert.deepEqual(origins.map((o) => o.origin), ['remote.test', 'remote.test']);
  assert.equal(remoteKeys.fetches, 1, 'the key is fetched once and cached');
});

test('a signed POST with a search term and room_types filters the index', async () => {
  const res = await signed('POST', '/_matrix/federation/v1/publicRooms', { content: { limit: 5, filter: { generic_search_term: 'rust' } } });
  assert.equal(res.status, 200);
  assert.deepEqual((res.body['chunk'] as Array<{ room_id: string }>).map((r) => r.room_id), ['!r3:listed.test']);
  const spaces = await signed('POST', '/_matrix/federation/v1/publicRooms', { content: { filter: { room_types: ['m.space'] } } });
  assert.deepEqual((spaces.body['chunk'] as Array<{ room_id: string }>).map((r) => r.room_id), ['!r1:listed.test']);
  assert.equal(queries.at(-1)?.type, 'space');
});

test('forged, missing, wrong-destination, tampered-body and unknown-key requests get 401 M_UNAUTHORIZED and record nothing', async () => {
  const before = origins.length;
  const fetchesBefore = remoteKeys.fetches;
  const uri = '/_matrix/federation/v1/publicRooms';
  const cases = [
    await signed('GET', uri, { key: otherKey, tamper: (h) => h.replace(otherKey.keyId, remoteKey.keyId) }), // signature by another key
    await signed('GET', uri, { destination: 'elsewhere.test' }),
    await signed('GET', uri, { tamper: (h) => h.replace(/sig="[^"]+"/, 'sig="AAAA"') }),
    await signed('GET', `${uri}?limit=5`, { tamper: (h) => h }).then(async () => {
      // Signed for one uri, sent to another.
      const header = signFederationRequest({ method: 'GET', uri, origin: 'remote.test', destination: OUR_NAME }, remoteKey) as string;
      const res = await fetch(`${base}${uri}?limit=99`, { headers: { authorization: header } });
      return { status: res.status, body: await res.json() as Record<string, unknown> };
    }),
    await signed('POST', uri, { content: { limit: 5 } }).then(async () => {
      const header = signFederationRequest({ method: 'POST', uri, origin: 'remote.test', destination: OUR_NAME, content: { limit: 5 } }, remoteKey) as string;
      const res = await fetch(`${base}${uri}`, { method: 'POST', headers: { authorization: header, 'content-type': 'application/json' }, body: JSON.stringify({ limit: 50 }) });
      return { status: res.status, body: await res.json() as Record<string, unknown> };
    }),
    await fetch(`${base}${uri}`).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> })),
    await fetch(`${base}${uri}`, { headers: { authorization: 'X-Matrix origin=remote.test,key="ed25519:x",sig="y",origin=other.test' } }).then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> })),
    await signed('GET', uri, { origin: 'stale.test' }), // key response not self-signed
  ];
  for (const [i, c] of cases.entries()) {
    assert.equal(c.status, 401, `case ${i}: ${JSON.stringify(c.body)}`);
    assert.equal(c.body['errcode'], 'M_UNAUTHORIZED', `case ${i}`);
  }
  // The two valid requests sent before the tampered ones were recorded; nothing else was.
  assert.equal(origins.length - before, 2);
  assert.equal(remoteKeys.fetches - fetchesBefore, 1, 'only stale.test was fetched: the rest failed before any key fetch or from the cache');
});

test('an origin whose key server is on a forbidden address is refused without a connection to it', async () => {
  const res = await signed('GET', '/_matrix/federation/v1/publicRooms', { origin: 'evil.test' });
  assert.equal(res.status, 401);
  assert.match(String(res.body['error']), /forbidden|refused/i);
  assert.equal(forbidden.connections, 0);
});

test('key fetches are bounded per minute: a flood of unknown origins is answered 429 without dialling out', async () => {
  const results: number[] = [];
  for (let i = 0; i < 8; i++) results.push((await signed('GET', '/_matrix/federation/v1/publicRooms', { origin: `flood${i}.test` })).status);
  assert.ok(results.includes(429), `statuses ${results.join(',')}`);
  assert.ok(remoteKeys.fetches <= 5, `${remoteKeys.fetches} fetches, budget 5 per minute`);
});
