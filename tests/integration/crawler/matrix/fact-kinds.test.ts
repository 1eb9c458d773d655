/**
 * Kinds of fact and the request budget in the Matrix probe (issue 12 items 1, 2),
 * on the simulated federation (127.26.0.0/16): a liveness-only probe asks only
 * for liveness (well-known, robots.txt, federation version); the full probe
 * measures every kind; the probe's request count is exactly what the server
 * received; no request asks the server to query a third server on our behalf
 * (no `publicRooms?server=`, no federation `query`); past the budget nothing is sent.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { RequestBudget } from '../../../../crawler/net/request-budget.ts';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver, type FakeRoom } from '../../../../sim/matrix-federation.ts';

const SERVER = 'kinds.test';
const ROOMS: FakeRoom[] = ['a', 'b', 'c', 'd', 'e'].map((x) => ({ room_id: `!${x}:${SERVER}`, name: x, num_joined_members: 3, world_readable: true, guest_can_join: false, join_rule: 'public' }));

let ca: TestCa;
let dns: DnsServer;
let ctx: NetContext;
let host: FakeHomeserver;
let now = Date.UTC(2026, 2, 2, 12);

before(async () => {
  ca = await createTestCa();
  dns = await startDnsServer({ host: '127.26.0.53', zones: { [SERVER]: { A: ['127.26.0.1'] } } });
  const routes = matrixApiRoutes({ serverName: SERVER, rooms: ROOMS, maxPage: 2, register: { status: 401, body: { flows: [{ stages: ['m.login.dummy'] }], session: 'x' } } });
  host = await startHomeserver(ca, '127.26.0.1', [SERVER], { 8448: routes, 443: routes });
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_PER_HOST_INTERVAL_MS: '0' } }, { extraCaPems: [ca.caPem] }),
    { budget: new RequestBudget({ dailyLimit: 720, now: () => now }) });
});

after(async () => {
  await ctx?.close();
  await host?.close();
  await dns?.close();
  await ca?.cleanup();
});

const received = (): number => host.servers.reduce((n, s) => n + s.requests.length, 0);
const connections = (): number => host.servers.reduce((n, s) => n + s.connections, 0);
const paths = (): string[] => host.servers.flatMap((s) => s.requests.map((r) => r.path));
const steps = (r: ProbeResult): Set<string> => new Set(r.observations.map((o) => o.step));

test('a full probe measures every kind, and its request count is what the server received', async () => {
  const before = received();
  const r = await probeMatrix(ctx, SERVER, { passId: 'full', rooms: { pageSize: 2 } });
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.deepEqual(r.snapshot.measured, ['liveness', 'setup', 'rooms', 'register']);
  assert.equal(r.snapshot.registration, 'open');
  assert.equal(r.snapshot.publicRooms, 5);
  assert.equal(r.snapshot.requests, received() - before);
  assert.equal(ctx.budget.used(`matrix:${SERVER}`), r.snapshot.requests);
});

test('a liveness-only probe sends the federation version request and nothing of the other kinds', async () => {
  const before = received();
  const r = await probeMatrix(ctx, SERVER, { passId: 'live', due: ['liveness'] });
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.equal(r.snapshot.software, 'synapse');
  assert.deepEqual(r.snapshot.measured, ['liveness']);
  const sent = paths().slice(before);
  assert.equal(r.snapshot.requests, sent.length);
  assert.ok(sent.length <= 2, `liveness sent ${sent.join(', ')}`);
  assert.ok(sent.includes('/_matrix/federation/v1/version'));
  for (const step of ['matrix.well-known-client', 'matrix.server-keys', 'matrix.client-versions', 'matrix.login-flows', 'matrix.public-rooms', 'matrix.register-probe', 'net.ipv4']) {
    assert.ok(!steps(r).has(step), `${step} ran`);
  }
  // Nothing of the skipped kinds in the snapshot: the store carries them from the last good row.
  assert.equal(r.snapshot.registration, 'unknown');
  assert.equal(r.snapshot.publicRooms, 0);
});

test('the room walk without the registration request, and the registration request alone ride with setup', async () => {
  const before = paths().length;
  const rooms = await probeMatrix(ctx, SERVER, { passId: 'rooms', due: ['rooms'], rooms: { pageSize: 2 } });
  assert.deepEqual(rooms.snapshot.measured, ['liveness', 'setup', 'rooms']);
  assert.ok(!paths().slice(before).includes('/_matrix/client/v3/register'), 'no registration request');
  const reg = await probeMatrix(ctx, SERVER, { passId: 'reg', due: ['register'] });
  assert.deepEqual(reg.snapshot.measured, ['liveness', 'setup', 'register']);
  assert.ok(!steps(reg).has('matrix.public-rooms'));
});

test('no request asks the server to query a third server for us', () => {
  for (const p of paths()) {
    assert.ok(!/[?&]server=/.test(p), p);
    assert.ok(!p.startsWith('/_matrix/federation/v1/query'), p);
  }
});

test('past the budget nothing is sent: the probe fails with policy.budget-exhausted before a request leaves', async () => {
  const tight = createNetContext(ctx.config, { budget: new RequestBudget({ dailyLimit: 720, now: () => now }) });
  try {
    for (let i = 0; i < 720; i++) tight.budget.take(`matrix:${SERVER}`, 'http');
    const before = received();
    const beforeConnections = connections();
    const r = await probeMatrix(tight, SERVER, { passId: 'spent', due: ['liveness'] });
    assert.equal(received(), before);
    assert.equal(connections(), beforeConnections);
    assert.equal(r.snapshot.requests, 0);
    assert.ok(r.observations.some((o) => o.outcome === 'policy.budget-exhausted'), r.observations.map((o) => `${o.step}=${o.outcome}`).join());
    // A day later the server may be asked again.
    now += 25 * 3_600_000;
    const later = await probeMatrix(tight, SERVER, { passId: 'later', due: ['liveness'] });
    assert.equal(later.snapshot.status, 'ok', later.snapshot.error);
  } finally {
    await tight.close();
  }
});
