import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleServer, lifecycleOf, scheduleOptions, type ServerHistory, type ScheduleHints } from '../../../../jobs/crawl/schedule.ts';
import { budgetPlan } from '../../../../crawler/policy/cadence.ts';

const H = 3_600_000;
const D = 24 * H;
const T = Date.UTC(2026, 0, 10, 12);
const key = { domain: 'hs1.chat.eu', protocol: 'matrix' as const };
const base: ServerHistory = { lastAt: new Date(T), lastStatus: 'ok', lastOkAt: new Date(T), failuresSinceOk: 0, failingSince: null, endpoint: 'hs1.chat.eu:8448', previousOkEndpoint: 'hs1.chat.eu:8448', lastFailure: null };
const M = 60_000;
/** The n-th failure in a row of a server last ok just before the streak, failing for `forMs`. */
const streak = (n: number, lastFailure: ServerHistory['lastFailure'], forMs: number, lastStatus: ServerHistory['lastStatus'] = 'unreachable'): Partial<ServerHistory> =>
  ({ lastStatus, lastOkAt: new Date(T - forMs - H), failuresSinceOk: n, failingSince: new Date(T - forMs), lastFailure });
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
  // A Crawl-delay lowers the budget (86,400 / d requests a day, crawler/policy/cadence.ts): 3 h allows 8, the floor of 24 pays one liveness probe a day.
  ['crawl-delay of 3h: the budget floor pays one liveness probe a day', {}, { crawlDelayMs: 3 * H }, 'alive', budgetPlan(24, 0).livenessIntervalMs],
  ['crawl-delay of 600 s: a budget of 144 spaces liveness', {}, { crawlDelayMs: 600_000 }, 'alive', budgetPlan(144, 0).livenessIntervalMs],
  ['crawl-delay of 30 s: 2,880 a day, more than the budget: hourly', {}, { crawlDelayMs: 30_000 }, 'alive', H],
  ['a 429 with Retry-After a day ago: half the budget still pays hourly liveness', {}, { rateLimitedAt: new Date(T - D) }, 'alive', H],
  // The same rule read from the store (jobs/crawl/plan-pass.ts storedPace): what another process saw lowers the budget here too, for a week.
  ['a stored Crawl-delay of 600 s read 6 days ago: a budget of 144 spaces liveness', { pace: { crawlDelaySeconds: 600, crawlDelayAt: T - 6 * D } }, {}, 'alive', budgetPlan(144, 0).livenessIntervalMs],
  ['a stored Crawl-delay last read 8 days ago: forgotten, hourly', { pace: { crawlDelaySeconds: 600, crawlDelayAt: T - 8 * D } }, {}, 'alive', H],
  ['a stored 429 and a stored Crawl-delay of 600 s: 72 a day', { pace: { rateLimitedAt: T - D, crawlDelaySeconds: 600, crawlDelayAt: T - D } }, {}, 'alive', budgetPlan(72, 0).livenessIntervalMs],
  // Error classes (issue 12 item 5): a transient failure is retried soon, a permanent one backs off at once.
  ['transient dns.timeout, first failure: short retry', streak(1, 'dns.timeout', 0), {}, 'failing', 15 * M],
  ['transient net.connect-timeout, second failure: short retry', streak(2, 'net.connect-timeout', 15 * M), {}, 'failing', 15 * M],
  ['transient, third failure: the backoff starts at its base', streak(3, 'dns.timeout', 30 * M), {}, 'failing', H],
  ['transient, fourth failure: doubled', streak(4, 'net.reset', 90 * M), {}, 'failing', 2 * H],
  ['permanent tls.cert-invalid, first failure: the full backoff', streak(1, 'tls.cert-invalid', 0), {}, 'failing', H],
  ['permanent net.connect-refused, three failures: 4h', streak(3, 'net.connect-refused', 3 * H), {}, 'failing', 4 * H],
  ['a 4xx (http.status) of a failed probe is permanent, never sooner', streak(1, 'http.status', 0, 'not-a-server'), {}, 'failing', H],
  ['not-a-server is permanent whatever its code', streak(1, 'net.timeout', 0, 'not-a-server'), {}, 'failing', H],
  ['rate-limited: the server asked to wait, no short retry', streak(1, 'policy.rate-limited', 0, 'error'), {}, 'failing', H],
  ['no stored code: the full backoff, as before codes were stored', streak(1, null, 0), {}, 'failing', H],
  ['an ok probe whose one step answered 4xx is alive, hourly', { lastFailure: 'http.status' }, {}, 'alive', H],
  ['transient with a count cut by the window, failing 10h: backoff follows elapsed time', streak(1, 'dns.timeout', 10 * H, 'error'), {}, 'failing', 10 * H],
  ['transient: short retries do not count towards dead (8 failures)', streak(8, 'dns.timeout', 32 * H), {}, 'failing', 32 * H],
  ['transient: dead after 8 failures beyond the short retries', streak(10, 'dns.timeout', 100 * H), {}, 'dead', 128 * H],
  ['a short retry still honours Retry-After', streak(1, 'http.timeout', 0), { retryAfterUntil: new Date(T + 2 * H) }, 'failing', 2 * H],
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

/** Probe times of a server failing from `T` with `failure` until `upAt`, the schedule deciding each next probe. */
function probesUntilUp(failure: ServerHistory['lastFailure'], upAt: number, options = {}): number[] {
  const times: number[] = [];
  let h: ServerHistory = { ...base, lastAt: new Date(T - H), lastOkAt: new Date(T - H) };
  let at = T;
  for (;;) {
    times.push((at - T) / M);
    if (at >= upAt) return times;
    h = { ...h, lastAt: new Date(at), lastStatus: 'unreachable', failuresSinceOk: h.failuresSinceOk + 1, failingSince: h.failingSince ?? new Date(at), lastFailure: failure };
    at = scheduleServer(key, h, {}, { ...noJitter, ...options }).dueAt!.getTime();
  }
}

test('over one outage of 5 hours, a transient failure is retried soon and a permanent one backs off from the start', () => {
  // minutes after the first failed probe
  assert.deepEqual(probesUntilUp('dns.timeout', T + 5 * H), [0, 15, 30, 90, 210, 450]);
  assert.deepEqual(probesUntilUp('tls.cert-invalid', T + 5 * H), [0, 60, 180, 420]);
  assert.deepEqual(probesUntilUp('net.connect-timeout', T + 5 * H, { transientRetries: 0 }), probesUntilUp('tls.cert-invalid', T + 5 * H), 'transientRetries: 0 is the full backoff for every class');
});

test('bad options are refused quoting the value', () => {
  assert.throws(() => scheduleOptions({ jitter: 0.9 }), /jitter must be in \[0, 0.5\], got 0.9/);
  assert.throws(() => scheduleOptions({ ceilingMs: 10, backoffBaseMs: 100 }), /ceilingMs \(10\)/);
  assert.throws(() => scheduleOptions({ aliveIntervalMs: Number.NaN }), /aliveIntervalMs/);
  assert.throws(() => scheduleOptions({ transientRetries: 1.5 }), /transientRetries must be an integer >= 0, got 1.5/);
  assert.throws(() => scheduleOptions({ transientRetryMs: 0 }), /intervals must be > 0/);
});
