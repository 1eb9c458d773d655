import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetFacts, cadenceRows, formatDuration } from '../../../site/lib/crawl-etiquette.ts';
import { budgetPlan, CADENCE, DEFAULT_DAILY_REQUEST_BUDGET } from '../../../crawler/policy/cadence.ts';
import { crawlConfigTable } from '../../../crawler/config.ts';

test('durations in words', () => {
  assert.equal(formatDuration(3_600_000), '1 hour');
  assert.equal(formatDuration(120_000), '2 minutes');
  assert.equal(formatDuration(66 * 60_000), '1 hour 6 minutes');
  assert.equal(formatDuration(7 * 86_400_000), '7 days');
  assert.equal(formatDuration(7 * 86_400_000 + 71 * 60_000), '7 days 1 hour');
});

test('the page\'s cadence table is the schedule\'s constants', () => {
  const rows = cadenceRows();
  assert.deepEqual(rows.map((r) => r.kind), ['liveness', 'setup', 'rooms', 'register']);
  assert.deepEqual(rows.map((r) => r.every), ['every 1 hour (± 10 %)', 'once every 24 hours', 'once every 24 hours', 'at most once every 7 days']);
  assert.equal(rows[3]!.condition, CADENCE.register.condition);
  assert.equal(rows[0]!.stalest, '1 hour 6 minutes');
  assert.equal(rows[1]!.stalest, '25 hours 11 minutes');
  assert.equal(rows[2]!.cap, `what the day's budget leaves: ${budgetPlan(DEFAULT_DAILY_REQUEST_BUDGET).caps.rooms}`);
});

test('the budget paragraph states the figures the network layer enforces, and the politeness defaults', () => {
  const b = budgetFacts();
  assert.equal(b.daily, DEFAULT_DAILY_REQUEST_BUDGET);
  assert.equal(b.spacing, '2 minutes');
  assert.equal(b.livenessPerDay, 27);
  assert.deepEqual(b.perHost, { concurrency: crawlConfigTable.perHostConcurrency.default, intervalMs: crawlConfigTable.perHostIntervalMs.default });
  assert.deepEqual(b.settled, ['closed']);
  // The worst-case day the page describes fits the budget it states.
  assert.ok(b.livenessPerDay * b.caps.liveness + b.caps.setup + b.caps.register + b.caps.rooms <= b.daily);
});
