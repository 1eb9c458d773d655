import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type RunPass } from '../../../../jobs/crawl/scheduler.ts';
import type { PassSummary } from '../../../../jobs/crawl/crawl.ts';

const MIN = 60_000;
const summary = (over: Partial<PassSummary> = {}): PassSummary => ({
  passId: 'p', resumed: false, state: 'done', planned: 1, alreadyDone: 0, repaired: 0, replayed: 0, planMs: 0, probed: 1, byStatus: { ok: 1 },
  probeFailures: 0, discoveredAccepted: 0, discoveredRefused: 0, plan: { lifecycles: {} as PassSummary['plan']['lifecycles'], notDue: 0, nextDueAt: null },
  retryAfter: new Map(), crawlDelay: new Map(), durationMs: 1, ...over,
});

/**
 * A fake clock and sleep, and no wall-clock wait anywhere: sleeping advances the clock and
 * returns at once, except the `stopAtSleep`-th sleep, which resolves `reached` and then
 * holds the loop there until stop() aborts it, as the real sleep does. A test awaits
 * `reached` (the loop got that far) and then stops: nothing depends on how fast the
 * machine is (the earlier version waited a real 20 ms and failed on a loaded machine).
 */
function harness(runPass: RunPass, stopAtSleep: number) {
  let now = Date.UTC(2026, 0, 1);
  const sleeps: number[] = [];
  const { promise: reached, resolve: reach } = Promise.withResolvers<void>();
  const sleep = async (ms: number, signal: AbortSignal) => {
    sleeps.push(ms);
    now += ms;
    if (sleeps.length < stopAtSleep) return;
    reach();
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  };
  const scheduler = new Scheduler({ runPass, clock: () => new Date(now), sleep, minIdleMs: MIN, maxIdleMs: 15 * MIN, errorBackoffMs: MIN });
  /** Resolves once the loop is in its `stopAtSleep`-th sleep, then stops it. */
  const stopAtThatSleep = async () => {
    await reached;
    await scheduler.stop();
  };
  return { scheduler, sleeps, now: () => now, stopAtThatSleep };
}

test('passes never overlap and the loop sleeps until the next server is due', async () => {
  let running = 0;
  let maxRunning = 0;
  const h = harness(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setImmediate(r));
    running--;
    return summary({ plan: { lifecycles: {} as PassSummary['plan']['lifecycles'], notDue: 3, nextDueAt: new Date(h.now() + 5 * MIN) } });
  }, 3);
  h.scheduler.start();
  h.scheduler.start(); // a second start does not start a second loop
  await h.stopAtThatSleep();
  assert.equal(maxRunning, 1);
  assert.deepEqual(h.sleeps, [5 * MIN, 5 * MIN, 5 * MIN]);
  assert.equal(h.scheduler.state, 'stopped');
});

test('sleep is clamped between minIdle and maxIdle', () => {
  const s = new Scheduler({ runPass: async () => summary(), minIdleMs: MIN, maxIdleMs: 15 * MIN, minRevisitMs: 54 * MIN });
  const t = new Date(0);
  assert.equal(s.nextSleepMs(summary(), t, t), 15 * MIN); // everything probed: revisit in 54 min, capped at 15
  assert.equal(s.nextSleepMs(summary({ plan: { lifecycles: {} as PassSummary['plan']['lifecycles'], notDue: 1, nextDueAt: new Date(1000) } }), t, t), MIN);
});

test('a failing pass is retried with doubling backoff, and success resets it', async () => {
  let calls = 0;
  const h = harness(async () => {
    calls++;
    if (calls <= 3) throw new Error('store down');
    return summary({ plan: { lifecycles: {} as PassSummary['plan']['lifecycles'], notDue: 1, nextDueAt: new Date(h.now() + 2 * MIN) } });
  }, 4);
  h.scheduler.start();
  await h.stopAtThatSleep();
  assert.deepEqual(h.sleeps, [MIN, 2 * MIN, 4 * MIN, 2 * MIN]);
});

test('stop() during a pass waits for it to end and the pass sees the abort', async () => {
  let sawAbort = false;
  let release!: () => void;
  const s = new Scheduler({
    runPass: ({ signal }) => new Promise((resolve) => {
      release = () => resolve(summary({ state: 'stopped' }));
      signal.addEventListener('abort', () => { sawAbort = true; setImmediate(release); });
    }),
  });
  s.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(s.state, 'running-pass');
  await s.stop();
  assert.equal(sawAbort, true);
  assert.equal(s.passes, 1);
  assert.equal(s.state, 'stopped');
});

test('Retry-After hints from a pass reach the next pass until they expire; the rate limit itself is kept a week, for the budget', async () => {
  const seen: string[] = [];
  let n = 0;
  const h = harness(async ({ hints }) => {
    seen.push([...hints.values()].map((x) => `${x.retryAfterUntil ? 'retry-after' : '-'}/${x.rateLimitedAt ? 'rate-limited' : '-'}`).join(','));
    n++;
    return summary({ retryAfter: n === 1 ? new Map([['matrix:a.chat.eu', new Date(h.now() + 20 * MIN)]]) : new Map() });
  }, 3);
  h.scheduler.start();
  await h.stopAtThatSleep();
  // pass 2 runs 15 min later (hint still valid), pass 3 at 30 min (Retry-After expired; the 429 still halves the budget)
  assert.deepEqual(seen, ['', 'retry-after/rate-limited', '-/rate-limited']);
});

test('a Crawl-delay hint lowers the budget for a week after the pass that read it, then is forgotten', async () => {
  const seen: [number, boolean][] = [];
  let n = 0;
  let start = 0;
  const h = harness(async ({ hints }) => {
    if (n === 0) start = h.now();
    const hint = hints.get('matrix:slow.chat.eu');
    seen.push([h.now() - start, Boolean(hint?.crawlDelayMs && hint.crawlDelayAt)]);
    n++;
    return summary({ crawlDelay: n === 1 ? new Map([['matrix:slow.chat.eu', 600_000]]) : new Map() });
  }, 7 * 24 * 4 + 4);
  h.scheduler.start();
  await h.stopAtThatSleep();
  const WEEK = 7 * 24 * 60 * MIN;
  assert.equal(seen[0]![1], false, 'nothing before the first pass read it');
  const after = seen.slice(1);
  assert.ok(after.some(([t]) => t < WEEK) && after.some(([t]) => t >= WEEK), `passes span the week: ${after.at(-1)![0] / MIN} min`);
  for (const [t, has] of after) assert.equal(has, t < WEEK, `at ${t / MIN} min`);
});

test('every pass gets the same history cache, so plans after the first read only new snapshots', async () => {
  const caches = new Set<unknown>();
  const h = harness(async ({ history }) => {
    caches.add(history);
    return summary();
  }, 3);
  h.scheduler.start();
  await h.stopAtThatSleep();
  assert.equal(caches.size, 1);
  assert.equal(h.scheduler.passes, 3);
});

test('bad options are refused quoting the value', () => {
  assert.throws(() => new Scheduler({ runPass: async () => summary(), minIdleMs: -1 }), /minIdleMs must be a finite number >= 0, got -1/);
});
