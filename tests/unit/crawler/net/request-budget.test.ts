import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestBudget } from '../../../../crawler/net/request-budget.ts';
import { ProbeError } from '../../../../crawler/errors.ts';
import { budgetPlan } from '../../../../crawler/policy/cadence.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 10, 30);

function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

const refusal = (code = 'policy.budget-exhausted') => (e: unknown) => e instanceof ProbeError && e.code === code;

test('requests past the daily limit are refused with policy.budget-exhausted, per server', () => {
  const c = clock();
  const b = new RequestBudget({ dailyLimit: 3, now: c.now });
  for (let i = 0; i < 3; i++) b.take('matrix:a.example', 'http');
  assert.throws(() => b.take('matrix:a.example', 'http'), refusal());
  b.take('matrix:b.example', 'connect');
  b.take('xmpp:a.example', 'connect');
  assert.equal(b.used('matrix:a.example'), 3);
  assert.equal(b.remaining('matrix:a.example'), 0);
  assert.equal(b.used('matrix:b.example'), 1);
});

test('the window rolls: a request is forgotten 24 hours after the end of its 5-minute bucket', () => {
  const c = clock();
  const b = new RequestBudget({ dailyLimit: 2, now: c.now });
  b.take('s', 'http');
  c.advance(2 * HOUR);
  b.take('s', 'http');
  assert.throws(() => b.take('s', 'http'), refusal());
  c.advance(22 * HOUR);
  // 24 h after the first request, still in its bucket's window (never undercounted).
  assert.equal(b.used('s'), 2);
  c.advance(5 * 60_000);
  assert.equal(b.used('s'), 1);
  b.take('s', 'http');
  assert.throws(() => b.take('s', 'http'), refusal());
});

test('any 24-hour window holds at most the limit, whatever the pattern of requests', () => {
  const c = clock();
  const b = new RequestBudget({ dailyLimit: 50, now: c.now });
  const sent: number[] = [];
  let x = 7;
  for (let step = 0; step < 24 * 14 * 4; step++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const burst = x % 9;
    for (let i = 0; i < burst; i++) {
      try {
        b.take('s', 'http');
        sent.push(c.now());
      } catch (e) {
        assert.ok(refusal()(e));
      }
    }
    c.advance(15 * 60_000);
  }
  for (const start of sent) {
    const n = sent.filter((t) => t >= start && t < start + 24 * HOUR).length;
    assert.ok(n <= 50, `window from ${new Date(start).toISOString()} holds ${n}`);
  }
  assert.ok(sent.length > 50 * 10, 'the budget was used, not only refused');
});

test('seeding from the store counts what another run sent, never twice', () => {
  const c = clock();
  const b = new RequestBudget({ dailyLimit: 10, now: c.now });
  const log = [{ at: T0 - 3 * HOUR, n: 4 }, { at: T0 - 3 * HOUR + 60_000, n: 2 }, { at: T0 - 30 * HOUR, n: 100 }];
  b.seed('s', log);
  assert.equal(b.used('s'), 6, 'the entry older than the window is ignored; one hour sums its snapshots');
  b.seed('s', log);
  assert.equal(b.used('s'), 6, 'seeding twice counts once');
  b.take('s', 'http');
  b.seed('s', [{ at: T0, n: 1 }]);
  assert.equal(b.used('s'), 7, 'a stored count of what this process counted itself is not added');
});

test('a 429/503 with Retry-After halves the budget; a Crawl-delay caps it at 86,400 / d', () => {
  const c = clock();
  const b = new RequestBudget({ dailyLimit: 720, now: c.now });
  b.noteRateLimited('s');
  assert.equal(b.limit('s'), 360);
  b.noteCrawlDelay('t', 600);
  assert.equal(b.limit('t'), 144);
  assert.equal(b.limit('u'), 720);
  c.advance(8 * 24 * HOUR);
  assert.equal(b.limit('s'), 720, 'the halving is forgotten after a week');
  assert.equal(b.limit('t'), 720, 'so is a Crawl-delay robots.txt no longer repeats');
});

test('the stored pace is seeded: a restarted budget is as low as the one that saw the 429 and the Crawl-delay, for as long', () => {
  const c = clock();
  const seen = new RequestBudget({ dailyLimit: 720, now: c.now });
  seen.noteRateLimited('s');
  seen.noteCrawlDelay('t', 600);
  // What the store keeps (the snapshot's time) is what the first budget knew.
  const stored = { s: { rateLimitedAt: T0 }, t: { crawlDelaySeconds: 600, crawlDelayAt: T0 } };
  assert.deepEqual(seen.pace('s'), { rateLimitedAt: T0 });
  assert.deepEqual(seen.pace('t'), { crawlDelaySeconds: 600, crawlDelayAt: T0 });
  c.advance(2 * HOUR);
  const restarted = new RequestBudget({ dailyLimit: 720, now: c.now });
  assert.equal(restarted.limit('s'), 720, 'an empty memory: the full budget');
  restarted.seedPace('s', stored.s);
  restarted.seedPace('t', stored.t);
  restarted.seedPace('u', {});
  assert.equal(restarted.limit('s'), 360);
  assert.equal(restarted.limit('t'), 144);
  assert.equal(restarted.servers, 2, 'nothing stored, nothing remembered');
  restarted.seedPace('s', stored.s);
  assert.equal(restarted.limit('s'), 360, 'seeding twice halves once');
  // A Crawl-delay read since replaces the stored one; an older stored one does not replace it.
  restarted.noteCrawlDelay('t', 60);
  restarted.seedPace('t', stored.t);
  assert.equal(restarted.limit('t'), 720);
  c.advance(7 * 24 * HOUR - 2 * HOUR - 1);
  assert.equal(restarted.limit('s'), 360, 'still within the week');
  assert.equal(seen.limit('s'), 360);
  c.advance(1);
  assert.equal(restarted.limit('s'), 720, 'the week ends at the same time for both');
  assert.equal(seen.limit('s'), 720);
});

test('a probe scope caps each kind and counts what the probe sent', () => {
  const c = clock();
  const b = new RequestBudget({ dailyLimit: 720, now: c.now });
  const scope = b.scope('matrix:a.example');
  const caps = budgetPlan(720).caps;
  const live = scope.ticket('liveness');
  for (let i = 0; i < caps.liveness; i++) live.take('http');
  assert.throws(() => live.take('http'), refusal());
  assert.equal(scope.left('liveness'), 0);
  scope.ticket('rooms').take('observer');
  assert.equal(scope.sent, caps.liveness + 1);
  assert.equal(scope.observerQueries, 1);
  assert.equal(b.used('matrix:a.example'), caps.liveness + 1);
  assert.equal(scope.left('rooms'), caps.rooms - 1);
  assert.equal(live.server, 'matrix:a.example');
});

test('metrics hooks, the heaviest servers first, and a bounded memory', () => {
  const c = clock();
  const counted: string[] = [];
  let refused = 0;
  const b = new RequestBudget({ dailyLimit: 2, now: c.now, maxServers: 3, onRequest: (s, ch) => counted.push(`${s}/${ch}`), onRefused: () => refused++ });
  b.take('a', 'http');
  b.take('b', 'http');
  b.take('b', 'connect');
  assert.throws(() => b.take('b', 'http'));
  assert.deepEqual(counted, ['a/http', 'b/http', 'b/connect']);
  assert.equal(refused, 1);
  assert.deepEqual(b.top(5).map((u) => [u.server, u.used]), [['b', 2], ['a', 1]]);
  b.take('c', 'http');
  b.take('d', 'http');
  assert.equal(b.servers, 3, 'the least recently counted server is forgotten past maxServers');
  assert.throws(() => new RequestBudget({ dailyLimit: 0 }), /dailyLimit must be an integer >= 1, got 0/);
});
