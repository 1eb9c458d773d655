/**
 * Room opt-out through probeMatrix and a real chdb store, on the simulated
 * federation (127.25.0.0/16): a directory of several pages, one room per
 * marker among them, and a public space listing an opted-out child. Nothing
 * of those rooms may reach room_snapshots, rooms_current or any observation;
 * the real-Synapse version of this is tests/e2e/matrix/synapse.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import { CHATLAS_NOINDEX_MARKER, MRS_NOINDEX_MARKER } from '../../../../crawler/protocol/room-opt-out.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { json } from '../../../../sim/fake-https.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver, type FakeRoom } from '../../../../sim/matrix-federation.ts';
import { openTestStore, rows, type TestStore } from '../../../harness/store.ts';

const SERVER = 'rooms.test';
const room = (id: string, extra: Partial<FakeRoom>): FakeRoom => ({ room_id: id, num_joined_members: 4, world_readable: true, guest_can_join: false, join_rule: 'public', ...extra });
const OPTED = ['!quiet:rooms.test', '!hush:rooms.test'];
const ROOMS: FakeRoom[] = [
  room('!lobby:rooms.test', { name: 'Lobby', canonical_alias: '#lobby:rooms.test', topic: 'Say hello' }),
  room(OPTED[0]!, { name: 'Quiet corner', canonical_alias: '#quiet:rooms.test', topic: `Moderated by friends [.]${MRS_NOINDEX_MARKER}` }),
  room('!dev:rooms.test', { name: 'Developers', canonical_alias: '#dev:rooms.test' }),
  room(OPTED[1]!, { name: 'Hush room', topic: `${CHATLAS_NOINDEX_MARKER.toUpperCase()} no indexes please` }),
  room('!space:rooms.test', { name: 'Hub', room_type: 'm.space', canonical_alias: '#hub:rooms.test' }),
];
/** The space's hierarchy (Synapse's shape, tests/fixtures/matrix-hierarchy): two children, one opted out. */
const HIERARCHY = {
  rooms: [
    {
      room_id: '!space:rooms.test', name: 'Hub', room_type: 'm.space', num_joined_members: 4, world_readable: true, guest_can_join: false, join_rule: 'public',
      children_state: ['!lobby:rooms.test', OPTED[0]!].map((id) => ({ type: 'm.space.child', state_key: id, content: { via: [SERVER] }, sender: '@a:rooms.test', origin_server_ts: 1 })),
    },
    { room_id: '!lobby:rooms.test', name: 'Lobby', topic: 'Say hello', num_joined_members: 4, world_readable: true, guest_can_join: false, join_rule: 'public', children_state: [] },
    { room_id: OPTED[0]!, name: 'Quiet corner', topic: `Moderated by friends ${MRS_NOINDEX_MARKER}`, num_joined_members: 4, world_readable: true, guest_can_join: false, join_rule: 'public', children_state: [] },
  ],
};

let ca: TestCa;
let dns: DnsServer;
let ctx: NetContext;
let host: FakeHomeserver;
let firstHost: FakeHomeserver;
let store: TestStore;
let result: ProbeResult;
/** A directory whose first page lists only opted-out rooms (Synapse orders by members, then room id). */
let optedFirst: ProbeResult;
const OPTED_FIRST = 'first.test';
const passId = randomUUID();

before(async () => {
  ca = await createTestCa();
  dns = await startDnsServer({ host: '127.25.0.53', zones: { [SERVER]: { A: ['127.25.0.1'] }, [OPTED_FIRST]: { A: ['127.25.0.2'] } } });
  const routes = {
    ...matrixApiRoutes({ serverName: SERVER, rooms: ROOMS, maxPage: 2 }),
    [`/_matrix/client/v1/rooms/${encodeURIComponent('!space:rooms.test')}/hierarchy`]: json(HIERARCHY),
  };
  host = await startHomeserver(ca, '127.25.0.1', [SERVER], { 8448: routes, 443: routes });
  const firstRoutes = matrixApiRoutes({
    serverName: OPTED_FIRST, maxPage: 2,
    rooms: [
      room('!quiet:first.test', { name: 'Quiet corner', topic: MRS_NOINDEX_MARKER }),
      room('!hush:first.test', { name: 'Hush room', topic: CHATLAS_NOINDEX_MARKER }),
      room('!lobby:first.test', { name: 'Lobby' }),
      room('!dev:first.test', { name: 'Developers' }),
    ],
  });
  firstHost = await startHomeserver(ca, '127.25.0.2', [OPTED_FIRST], { 8448: firstRoutes, 443: firstRoutes });
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } }, { extraCaPems: [ca.caPem] }));
  result = await probeMatrix(ctx, SERVER, { passId, rooms: { pageSize: 2 } });
  optedFirst = await probeMatrix(ctx, OPTED_FIRST, { passId: randomUUID(), rooms: { pageSize: 2 } });
  store = await openTestStore();
  await insertProbeResults(store.db, [result]);
});

after(async () => {
  await ctx?.close();
  await host?.close();
  await firstHost?.close();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('the rooms that opted out are withheld, counted on their pages, and gone from the space\'s children', () => {
  assert.equal(result.snapshot.status, 'ok', result.snapshot.error);
  assert.deepEqual(result.rooms.map((r) => r.name).sort(), ['Developers', 'Hub', 'Lobby']);
  assert.equal(result.snapshot.publicRooms, 3);
  const pages = result.observations.filter((o) => o.step === 'matrix.public-rooms');
  assert.ok(pages.length >= 3, 'several pages were read');
  assert.equal(pages.reduce((n, o) => n + Number(o.facts['optedOut'] ?? 0), 0), 2);
  assert.equal(result.observations.find((o) => o.step === 'matrix.summary')?.facts['roomsOptedOut'], 2);
  assert.deepEqual(result.rooms.find((r) => r.name === 'Hub')?.children, ['!lobby:rooms.test']);
  const hierarchy = result.observations.find((o) => o.step === 'matrix.space-hierarchy');
  assert.equal(hierarchy?.facts['optedOut'], 1);
  // The raw records that did list them are kept, minus those rooms: still JSON, still re-parseable.
  for (const o of [...pages, hierarchy!]) assert.doesNotThrow(() => JSON.parse(o.raw), o.step);
});

test('a page whose every room opted out does not end the walk: the rooms on the next pages are listed', () => {
  assert.equal(optedFirst.snapshot.status, 'ok', optedFirst.snapshot.error);
  assert.deepEqual(optedFirst.rooms.map((r) => r.name).sort(), ['Developers', 'Lobby']);
  const pages = optedFirst.observations.filter((o) => o.step === 'matrix.public-rooms');
  assert.deepEqual(pages.map((o) => [o.facts['rooms'], o.facts['optedOut']]), [[0, 2], [2, 0]]);
});

test('the store holds nothing of them: not in room_snapshots, rooms_current, nor any observation', async () => {
  const snapshots = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM room_snapshots WHERE room_id IN {ids:Array(String)} OR hasAny(children, {ids:Array(String)})', { ids: OPTED });
  assert.equal(Number(snapshots[0]?.n), 0, 'room_snapshots');
  const current = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM rooms_current FINAL WHERE room_id IN {ids:Array(String)}', { ids: OPTED });
  assert.equal(Number(current[0]?.n), 0, 'rooms_current');
  const listed = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM rooms_current FINAL');
  assert.equal(Number(listed[0]?.n), 3);
  for (const trace of [...OPTED, 'Quiet corner', 'Hush room', 'Moderated by friends', 'no indexes please', 'MRS-noindex', 'chatlas-noindex']) {
    const hits = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM observations WHERE pass_id = {p:UUID} AND (positionCaseInsensitive(raw, {t:String}) > 0 OR positionCaseInsensitive(facts, {t:String}) > 0)', { p: passId, t: trace });
    assert.equal(Number(hits[0]?.n), 0, `an observation keeps ${trace}`);
  }
});
