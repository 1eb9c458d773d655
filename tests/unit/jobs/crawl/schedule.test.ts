import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleServer, lifecycleOf, scheduleOptions, type ServerHistory, type ScheduleHints } from '../../../../jobs/crawl/schedule.ts';

const H = 3_600_000;
const D = 24 * H;
const T = Date.UTC(2026, 0, 10, 12);
const key = { domain: 'hs1.chat.eu', protocol: 'matrix' as const };
const base: ServerHistory = { lastAt: new Date(T), lastStatus: 'ok', lastOkAt: new Date(T), failuresSinceOk: 0, failingSince: null, endpoint: 'hs1.chat.eu:8448', previousOkEndpoint: 'hs1.chat.eu:8448' };
const noJitter = { jitter: 0 };

// name, history change, hints, expected lifecycle, expected interval after lastAt (ms, no jitter) or null
const table: Array<[string, Partial<ServerHistory>, ScheduleHints, string, number | null]> = [
  ['never probed', { lastAt: null, lastStatus: null, lastOkAt: null }, {}, 'new', -T],
  ['alive: hourly', {}, {}, 'alive', H],
  ['moved: endpoint changed since previous ok', { endpoint: 'matrix.host.eu:443' }, {}, 'moved', H],
  ['first failure: base backoff', { lastStatus: 'unreachable', lastOkAt: new Date(T - H), failuresSinceOk: 1, failingSince: new Date(T) }, {}, 'failing', H],
  ['three failures: 4h', { lastStatus: 'error', lastOkAt: new Date(T - 4 * H), failuresSinceOk: 3, failingSince: new Date(T - 3 * H) }, {}, 'failing', 4 * H],
  ['not-a-server backs off too', { lastStatus: 'not-a-server', lastOkAt: null, failuresSinceOk: 2, failingSince: new Date(T - H) }, {}, 'failing', 2 * H],
  ['8 failures in a row: dead', { lastStatus: 'unreachable', lastOkAt: null, failuresSinceOk: 8, failingSince: new Date(T - 127 * H) }, {}, 'dead', 128 * H],
  ['failing for 7 days: dead, at the ceiling', { lastStatus: 'unreachable', lastOkAt: new Date(T - 7 * D - H), failuresSinceOk: 7, failingSince: new Date(T - 7 * D) }, {}, 'dead', 7 * D],
  ['window shows 2 failures 3 weeks apart: dead at the ceiling', { lastStatus: 'unreachable', lastOkAt: null, failuresSinceOk: 2, failingSince: new Date(T - 21 * D) }, {}, 'dead', 7 * D],
  ['failing 10h with a truncated count: backoff follows elapsed time', { lastStatus: 'error', lastOkAt: null, failuresSinceOk: 1, failingSince: new Date(T - 10 * H) }, {}, 'failing', 10 * H],
  ['a million failures: still probed at the ceiling', { lastStatus: 'unreachable', lastOkAt: null, failuresSinceOk: 1e6, failingSince: new Date(T - 400 * D) }, {}, 'dead', 7 * D],
  ['robots disallows: daily recheck', { lastStatus: 'disallowed' }, {}, 'disallowed', D],
  ['opted out by owner: never', {}, { optedOut: true }, 'opted-out', null],
  ['probe saw an opt-out: never', { lastStatus: 'opted-out' }, {}, 'opted-out', null],
  ['opt-out lifted (the frontier no longer lists it): probed at once', { lastStatus: 'opted-out' }, { optedOut: false }, 'new', -T],
  ['Retry-After later than the interval wins', {}, { retryAfterUntil: new Date(T + 5 * H) }, 'alive', 5 * H],
  ['Retry-After earlier than the interval is moot', {}, { retryAfterUntil: new Date(T + 10 * 60_000) }, 'alive', H],
  ['hostile Retry-After is capped at the ceiling', { lastStatus: 'error', lastOkAt: new Date(T - H), failuresSinceOk: 1, failingSince: new Date(T) }, { retryAfterUntil: new Date(T + 3650 * D) }, 'failing', 7 * D],
  ['crawl-delay longer than the interval', {}, { crawlDelayMs: 3 * H }, 'alive', 3 * H],
];

for (const [name, change, hints, lifecycle, interval] of table) {
  test(`schedule: ${name}`, () => {
    const history = { ...base, ...change };
    const d = scheduleServer(key, history, hints, noJitter);
    assert.equal(d.lifecycle, lifecycle, d.reason);
    assert.equal(lifecycleOf(history, hints), lifecycle);
    if (interval === null) assert.equal(d.dueAt, null);
    else assert.equal(d.dueAt!.getTime() - T, interval, d.reason);
  });
}

test('a dead server that answers again is alive at once', () => {
  const dead = { ...base, lastStatus: 'unreachable' as const, lastOkAt: new Date(T - 30 * D), failuresSinceOk: 6, failingSince: new Date(T - 29 * D) };
  assert.equal(lifecycleOf(dead), 'dead');
  const back = { ...base, lastAt: new Date(T + 7 * D), lastOkAt: new Date(T + 7 * D), failuresSinceOk: 0, failingSince: null };
  assert.equal(lifecycleOf(back), 'alive');
});

test('jitter stays within ±jitter, is stable per server and spreads servers out', () => {
  const dues = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const k = { domain: `s${i}.chat.eu`, protocol: 'xmpp' as const };
    const a = scheduleServer(k, base, {}, { jitter: 0.1 }).dueAt!.getTime() - T;
    const b = scheduleServer(k, base, {}, { jitter: 0.1 }).dueAt!.getTime() - T;
    assert.equal(a, b);
    assert.ok(a >= 0.9 * H && a <= 1.1 * H, `${a}`);
    dues.add(Math.round(a / 1000));
  }
  assert.ok(dues.size > 150, `only ${dues.size} distinct due times`);
});

test('backoff never exceeds the ceiling even with jitter', () => {
  for (let f = 1; f < 80; f++) {
    const h = { ...base, lastStatus: 'unreachable' as const, lastOkAt: null, failuresSinceOk: f, failingSince: new Date(T - f * D) };
    const due = scheduleServer({ domain: `f${f}.chat.eu`, protocol: 'xmpp' }, h, {}, { jitter: 0.5 }).dueAt!.getTime() - T;
    assert.ok(due <= 7 * D && due > 0, `${f}: ${due}`);
  }
});

test('bad options are refused quoting the value', () => {
  assert.throws(() => scheduleOptions({ jitter: 0.9 }), /jitter must be in \[0, 0.5\], got 0.9/);
  assert.throws(() => scheduleOptions({ ceilingMs: 10, backoffBaseMs: 100 }), /ceilingMs \(10\)/);
  assert.throws(() => scheduleOptions({ aliveIntervalMs: Number.NaN }), /aliveIntervalMs/);
});
