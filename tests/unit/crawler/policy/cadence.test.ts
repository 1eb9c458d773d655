import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgetPlan, CADENCE, CRAWL_DELAY_MEMORY_MS, DEFAULT_DAILY_REQUEST_BUDGET, effectiveBudget, KIND_CAPS, LIVENESS_JITTER, maxLivenessPerDay,
  mergePaceSignals, MIN_DAILY_REQUEST_BUDGET, RATE_LIMIT_MEMORY_MS,
} from '../../../../crawler/policy/cadence.ts';
import { FACT_KINDS } from '../../../../crawler/fact-kinds.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('every kind has a cadence; liveness hourly, setup and rooms daily, the registration request weekly', () => {
  assert.deepEqual(Object.keys(CADENCE).sort(), [...FACT_KINDS].sort());
  assert.deepEqual(FACT_KINDS.map((k) => CADENCE[k].intervalMs), [HOUR, DAY, DAY, 7 * DAY]);
  assert.ok(CADENCE.register.condition, 'the registration request says when it is skipped');
});

test('liveness at most 27 times in the budget\'s window (a day and 5 minutes) at an hourly interval with 10% jitter', () => {
  assert.equal(maxLivenessPerDay(HOUR, LIVENESS_JITTER), 27);
  // Exactly hourly: the probe now and the 24 before it, the first 24 h ago.
  assert.equal(maxLivenessPerDay(HOUR, 0), 25);
});

test('the default plan: liveness hourly, and the room walk gets what the worst-case day leaves', () => {
  const p = budgetPlan(DEFAULT_DAILY_REQUEST_BUDGET);
  assert.equal(p.livenessIntervalMs, HOUR);
  assert.equal(p.caps.rooms, DEFAULT_DAILY_REQUEST_BUDGET - 27 * KIND_CAPS.liveness - KIND_CAPS.setup - KIND_CAPS.register);
  // The worst-case day fits the budget exactly.
  const worst = maxLivenessPerDay(p.livenessIntervalMs) * p.caps.liveness + p.caps.setup + p.caps.register + p.caps.rooms;
  assert.ok(worst <= DEFAULT_DAILY_REQUEST_BUDGET);
});

test('a budget that cannot pay hourly liveness stretches the interval until the worst-case day fits', () => {
  for (const limit of [24, 50, 144, 200, 291, 292, 300, 1000]) {
    const p = budgetPlan(limit);
    const worst = maxLivenessPerDay(p.livenessIntervalMs) * p.caps.liveness + p.caps.setup + p.caps.register + p.caps.rooms;
    assert.ok(p.livenessIntervalMs >= HOUR, `${limit}`);
    assert.ok(p.caps.rooms >= 0, `${limit}`);
    // Down to the floor where one liveness probe a day is all it pays for, the day fits.
    if (limit >= KIND_CAPS.setup + KIND_CAPS.register + KIND_CAPS.liveness) assert.ok(worst <= limit, `${limit}: ${worst}`);
  }
  assert.ok(budgetPlan(144).livenessIntervalMs > 2 * HOUR);
  // One probe a day is all the floor pays: spaced by more than the budget's window.
  assert.equal(maxLivenessPerDay(budgetPlan(24, 0).livenessIntervalMs, 0), 1);
  assert.throws(() => budgetPlan(-1), /budget must be a finite number >= 0, got -1/);
});

test('Crawl-delay caps the day at 86,400 / d requests; a 429/503 with Retry-After halves it for a week', () => {
  const now = Date.UTC(2026, 0, 10);
  assert.equal(effectiveBudget(720, {}, now), 720);
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 10 }, now), 720);
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 600 }, now), 144);
  assert.equal(effectiveBudget(720, { rateLimitedAt: now - DAY }, now), 360);
  assert.equal(effectiveBudget(720, { rateLimitedAt: now - RATE_LIMIT_MEMORY_MS }, now), 720, 'forgotten after a week');
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 600, rateLimitedAt: now }, now), 72);
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 86_400 * 10 }, now), MIN_DAILY_REQUEST_BUDGET, 'never below the floor');
  assert.equal(effectiveBudget(10, { crawlDelaySeconds: 86_400 }, now), 10, 'the floor never raises a smaller budget');
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: Number.NaN, rateLimitedAt: now + DAY }, now), 720, 'nonsense signals are ignored');
});

test('a Crawl-delay lowers the budget for a week after robots.txt last said so; one with no time counts now', () => {
  const now = Date.UTC(2026, 0, 10);
  assert.equal(CRAWL_DELAY_MEMORY_MS, 7 * DAY);
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 600, crawlDelayAt: now - 6 * DAY }, now), 144);
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 600, crawlDelayAt: now - CRAWL_DELAY_MEMORY_MS }, now), 720, 'forgotten after a week');
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 600, crawlDelayAt: now + DAY }, now), 720, 'a time in the future is nonsense');
  assert.equal(effectiveBudget(720, { crawlDelaySeconds: 600, crawlDelayAt: null }, now), 144);
});

test('merging the pace kept in memory with the stored one: the later 429/503 and the Crawl-delay read last win, in either order', () => {
  const now = Date.UTC(2026, 0, 10);
  const memory = { crawlDelaySeconds: 60, crawlDelayAt: now - HOUR, rateLimitedAt: now - 3 * DAY };
  const stored = { crawlDelaySeconds: 600, crawlDelayAt: now - 2 * HOUR, rateLimitedAt: now - DAY };
  const merged = { crawlDelaySeconds: 60, crawlDelayAt: now - HOUR, rateLimitedAt: now - DAY };
  assert.deepEqual(mergePaceSignals(memory, stored), merged);
  assert.deepEqual(mergePaceSignals(stored, memory), merged);
  assert.deepEqual(mergePaceSignals({}, stored), stored);
  assert.deepEqual(mergePaceSignals({}, {}), {});
  assert.deepEqual(mergePaceSignals({ crawlDelaySeconds: 5 }, stored), { crawlDelaySeconds: 5, rateLimitedAt: now - DAY }, 'a delay with no time was read now');
  assert.deepEqual(mergePaceSignals({ crawlDelaySeconds: null, rateLimitedAt: null }, { crawlDelaySeconds: 0, crawlDelayAt: now }), {}, 'no delay is no delay');
  // What the budget reads is the same whichever record came first.
  assert.equal(effectiveBudget(720, mergePaceSignals(memory, stored), now), effectiveBudget(720, mergePaceSignals(stored, memory), now));
  assert.equal(effectiveBudget(720, mergePaceSignals(memory, stored), now), 360, 'a Crawl-delay of 60 s allows more than the budget; the 429 halves it');
  assert.equal(effectiveBudget(720, mergePaceSignals({}, stored), now), 72);
});
