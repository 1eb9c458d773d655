/**
 * The incremental history (jobs/crawl/history-cache.ts) against the windowed query
 * (db/queries/frontier/list-server-history.ts), on the embedded store, over
 * seven weeks of generated hourly passes: servers that stay up, appear late,
 * fail, die, come back, move, vanish, refuse us. The schedule's decisions
 * (lifecycle and due time) must agree at every plan; the raw fields too
 * (the last failure code included, whose class shapes the backoff),
 * except the failure streak of a server failing since before the window,
 * which the cache keeps counting and the window truncates (jobs/crawl/schedule.ts
 * saturates there: both say dead, next at the ceiling).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { listServerHistory } from '../../../db/queries/frontier/list-server-history.ts';
import { serverSnapshotRow } from '../../../db/rows.ts';
import type { ProbeErrorCode } from '../../../crawler/errors.ts';
import type { Protocol, ServerStatus } from '../../../crawler/types.ts';
import { failedProbeResult } from '../../../jobs/crawl/failed-probe-result.ts';
import { HistoryCache } from '../../../jobs/crawl/history-cache.ts';
import { serverKey, toHistory } from '../../../jobs/crawl/plan-pass.ts';
import { scheduleServer, type ServerHistory } from '../../../jobs/crawl/schedule.ts';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 5);
const HOURS = 7 * 7 * 24;
const LOOKBACK = 30 * D;

type Outcome = { status: ServerStatus; endpoint: string; failure?: ProbeErrorCode };
interface SimServer { protocol: Protocol; domain: string; from?: number; until?: number; at(hour: number): Outcome }
const ok = (endpoint: string): Outcome => ({ status: 'ok', endpoint });
const down: Outcome = { status: 'unreachable', endpoint: '', failure: 'net.connect-refused' };
/** Down for a reason that passes (the schedule retries it soon, a few times). */
const timingOut: Outcome = { status: 'unreachable', endpoint: '', failure: 'dns.timeout' };
const day = (hour: number) => hour / 24;

const servers: SimServer[] = [
  { protocol: 'matrix', domain: 'steady.test', at: () => ok('steady.test:8448') },
  { protocol: 'xmpp', domain: 'steady.test', at: () => ok('xmpp.steady.test:5269') },
  { protocol: 'matrix', domain: 'flaky.test', at: (h) => (day(h) >= 3 && day(h) < 5) || h % 37 === 0 ? timingOut : ok('flaky.test:443') },
  // dies on day 5 and never returns: dead after a week, then at the ceiling; its last ok leaves the window on day 35
  { protocol: 'matrix', domain: 'dies.test', at: (h) => day(h) < 5 ? ok('dies.test:443') : down },
  // dead for three weeks, back on day 26
  { protocol: 'xmpp', domain: 'returns.test', at: (h) => day(h) < 2 || day(h) >= 26 ? ok('returns.test:5269') : { status: 'error', endpoint: '', failure: 'net.reset' } },
  // moves twice: a new delegation on day 10, another on day 40
  { protocol: 'matrix', domain: 'mover.test', at: (h) => ok(day(h) < 10 ? 'a.mover.test:443' : day(h) < 40 ? 'b.mover.test:443' : 'c.mover.test:443') },
  { protocol: 'matrix', domain: 'late.test', from: 8 * 24, at: () => ok('late.test:8448') },
  // left the frontier on day 6: falls out of the window on day 36
  { protocol: 'xmpp', domain: 'vanishes.test', until: 6 * 24, at: () => ok('vanishes.test:5269') },
  { protocol: 'xmpp', domain: 'never.test', at: () => down },
  { protocol: 'matrix', domain: 'refuses.test', at: (h) => day(h) < 4 ? ok('refuses.test:443') : { status: 'disallowed', endpoint: '' } },
  { protocol: 'xmpp', domain: 'flapping.test', at: (h) => Math.floor(h / 5) % 3 === 0 ? (h % 2 ? timingOut : down) : ok(h % 2 ? 'x.flapping.test:5269' : 'y.flapping.test:5269') },
  // down for 40 days from day 3, then back: its last ok leaves the window while it is down
  { protocol: 'matrix', domain: 'long-gone.test', at: (h) => day(h) < 3 || day(h) >= 43 ? ok('long-gone.test:443') : down },
];

/** The whole history of one server, the way the scheduler of the simulation sees it (no window). */
function fold(h: ServerHistory & { lastOkEndpoint: string }, at: Date, o: Outcome): void {
  h.lastAt = at;
  h.lastStatus = o.status;
  h.endpoint = o.endpoint;
  h.lastFailure = o.status === 'ok' ? null : o.failure ?? null;
  if (o.status === 'ok') {
    h.previousOkEndpoint = h.lastOkAt ? h.lastOkEndpoint : '';
    h.lastOkAt = at;
    h.lastOkEndpoint = o.endpoint;
    h.failuresSinceOk = 0;
    h.failingSince = null;
  } else {
    h.failuresSinceOk++;
    h.failingSince ??= at;
  }
}

let store: TestStore;
before(async () => {
  store = await openTestStore();
  // Probe each server whenever the schedule says it is due, hour by hour, and store every snapshot.
  const truth = new Map(servers.map((s) => [serverKey(s.protocol, s.domain), {
    lastAt: null, lastStatus: null, lastOkAt: null, failuresSinceOk: 0, failingSince: null, endpoint: '', previousOkEndpoint: '', lastOkEndpoint: '', lastFailure: null,
  } as ServerHistory & { lastOkEndpoint: string }]));
  const values: ReturnType<typeof serverSnapshotRow>[] = [];
  for (let hour = 0; hour < HOURS; hour++) {
    const passId = randomUUID();
    servers.forEach((s, i) => {
      if (hour < (s.from ?? 0) || hour >= (s.until ?? Infinity)) return;
      const h = truth.get(serverKey(s.protocol, s.domain))!;
      if (scheduleServer(s, h).dueAt!.getTime() > T0 + hour * H) return;
      const at = new Date(T0 + hour * H + 60_000 + i * 1000);
      const o = s.at(hour);
      fold(h, at, o);
      const r = failedProbeResult(passId, s.domain, s.protocol, at, 1, new Error('unused')).snapshot;
      // Now and then a 429 with Retry-After, or a robots.txt Crawl-delay: the stored pace must fold as the windowed query reads it.
      const pace = { rateLimited: i % 3 === 0 && hour % 97 === 5, crawlDelaySeconds: i % 4 === 1 && hour % 151 === 7 ? 60 * (1 + (hour % 13)) : null };
      values.push(serverSnapshotRow({ ...r, status: o.status, endpoint: o.endpoint, error: '', failure: o.failure, report: [], ...pace }));
    });
  }
  await store.db.client.insert({ table: 'server_snapshots', values, format: 'JSONEachRow' });
});
after(async () => { await store?.cleanup(); });

async function windowed(asOf: Date): Promise<Map<string, ServerHistory>> {
  const rows = await listServerHistory(store.db, { asOf, lookbackMs: LOOKBACK });
  return new Map(rows.map((r) => [serverKey(r.protocol, r.domain), toHistory(r)]));
}

/** Lifecycles the comparisons went through, and the failure codes read back. */
const seen = new Set<string>();
/** Servers whose history showed a stored pace in some comparison (the fold of migration 0019's columns was checked). */
const paced = new Set<string>();
const failures = new Set<string>();

/** Same servers, same decisions; same fields but the streak of a server failing since before the window. */
function assertAgree(full: Map<string, ServerHistory>, cached: Map<string, ServerHistory>, asOf: Date): number {
  const at = new Date(asOf).toISOString();
  assert.deepEqual([...cached.keys()].sort(), [...full.keys()].sort(), `servers as of ${at}`);
  let truncated = 0;
  for (const [key, f] of full) {
    const c = cached.get(key)!;
    const [protocol, domain] = key.split(':') as [Protocol, string];
    const df = scheduleServer({ protocol, domain }, f);
    const dc = scheduleServer({ protocol, domain }, c);
    seen.add(dc.lifecycle);
    if (c.lastFailure) failures.add(c.lastFailure);
    assert.deepEqual({ lifecycle: dc.lifecycle, dueAt: dc.dueAt }, { lifecycle: df.lifecycle, dueAt: df.dueAt }, `${key} as of ${at}: ${dc.reason} / ${df.reason}`);
    if (f.failuresSinceOk !== c.failuresSinceOk || f.failingSince?.getTime() !== c.failingSince?.getTime()) {
      truncated++;
      assert.equal(f.lastOkAt, null, `${key} as of ${at}: the streak differs only when no ok is in the window`);
      assert.ok(df.lifecycle === 'dead' || df.lifecycle === 'disallowed', `${key} as of ${at}: a truncated streak is a dead (or disallowed) server, not ${df.lifecycle}`);
      assert.ok(c.failuresSinceOk > f.failuresSinceOk);
    }
    assert.deepEqual({ ...c, failuresSinceOk: 0, failingSince: null }, { ...f, failuresSinceOk: 0, failingSince: null }, `${key} as of ${at}`);
    if (c.pace?.rateLimitedAt) paced.add(`${key}:429`);
    if (c.pace?.crawlDelaySeconds) paced.add(`${key}:delay`);
  }
  return truncated;
}

test('hour after hour over seven weeks, the incremental history plans like the windowed query', async () => {
  const cache = new HistoryCache();
  let truncated = 0;
  let passes = 0;
  // Passes every 5 hours and 7 minutes: plan times fall all over the hour, through every transition.
  for (let asOfMs = T0 + 2 * H; asOfMs < T0 + HOURS * H; asOfMs += 5 * H + 7 * 60_000) {
    const asOf = new Date(asOfMs);
    const cached = await cache.read(store.db, { asOf, lookbackMs: LOOKBACK });
    assert.equal(cache.lastRead!.mode, passes === 0 ? 'full' : 'incremental');
    truncated += assertAgree(await windowed(asOf), cached, asOf);
    passes++;
  }
  assert.ok(passes > 200);
  // The comparison did reach the case it is about.
  assert.ok(truncated > 0, 'some server failed for longer than the window');
  const end = await windowed(new Date(T0 + HOURS * H));
  assert.equal(end.has(serverKey('xmpp', 'vanishes.test')), false);
  assert.equal(scheduleServer({ protocol: 'matrix', domain: 'dies.test' }, end.get(serverKey('matrix', 'dies.test'))!).lifecycle, 'dead');
  assert.deepEqual([...seen].sort(), ['alive', 'dead', 'disallowed', 'failing', 'moved']);
  assert.ok([...paced].some((k) => k.endsWith(':429')) && [...paced].some((k) => k.endsWith(':delay')), `stored pace compared: ${[...paced].join(', ')}`);
  assert.deepEqual([...failures].sort(), ['dns.timeout', 'net.connect-refused', 'net.reset'], 'the last failure codes came back from the store');
  assert.equal(cache.size, end.size);
});

test('a resumed pass (asOf back) and a long pause (beyond the lookback) read the full window again', async () => {
  const cache = new HistoryCache();
  const t = T0 + 40 * D;
  await cache.read(store.db, { asOf: new Date(t), lookbackMs: LOOKBACK });
  await cache.read(store.db, { asOf: new Date(t + H), lookbackMs: LOOKBACK });
  assert.equal(cache.lastRead!.mode, 'incremental');
  const back = await cache.read(store.db, { asOf: new Date(t), lookbackMs: LOOKBACK });
  assert.equal(cache.lastRead!.mode, 'full');
  assert.deepEqual(back, await windowed(new Date(t)));
  await cache.read(store.db, { asOf: new Date(t), lookbackMs: LOOKBACK });
  assert.equal(cache.lastRead!.mode, 'incremental', 'the same asOf again (a failed pass retried) reads only the overlap');
  await cache.read(store.db, { asOf: new Date(t + LOOKBACK + H), lookbackMs: LOOKBACK });
  assert.equal(cache.lastRead!.mode, 'full');
  await cache.read(store.db, { asOf: new Date(t + LOOKBACK + 2 * H), lookbackMs: LOOKBACK - D });
  assert.equal(cache.lastRead!.mode, 'full', 'another lookback is another window');
});

test('a snapshot stored late, with a time before the previous read, is picked up by the overlap', async () => {
  const cache = new HistoryCache({ overlapMs: 15 * 60_000 });
  const t = T0 + HOURS * H + D;
  await cache.read(store.db, { asOf: new Date(t), lookbackMs: LOOKBACK });
  const at = new Date(t - 5 * 60_000);
  const r = failedProbeResult(randomUUID(), 'stored-late.test', 'matrix', at, 1, new Error('unused')).snapshot;
  await store.db.client.insert({ table: 'server_snapshots', values: [serverSnapshotRow({ ...r, status: 'ok', endpoint: 'stored-late.test:443', error: '', failure: undefined, report: [] })], format: 'JSONEachRow' });
  const asOf = new Date(t + H);
  const cached = await cache.read(store.db, { asOf, lookbackMs: LOOKBACK });
  assert.equal(cache.lastRead!.mode, 'incremental');
  assert.equal(cached.get(serverKey('matrix', 'stored-late.test'))?.lastAt?.getTime(), at.getTime());
  assertAgree(await windowed(asOf), cached, asOf);
});
