import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planServers, toHistory, serverKey, storedPace } from '../../../../jobs/crawl/plan-pass.ts';
import type { FrontierEntry } from '../../../../jobs/crawl/frontier/build-frontier.ts';

const H = 3_600_000;
const NOW = new Date(Date.UTC(2026, 0, 5, 12));
const entry = (domain: string, over: Partial<FrontierEntry> = {}): FrontierEntry => ({ domain, protocols: ['matrix'], vias: ['seed'], optedOut: false, ...over });
const hist = (lastAgoMs: number, status = 'ok', failures = 0) => toHistory({
  last_at: NOW.getTime() - lastAgoMs, last_status: status, last_ok_at: status === 'ok' ? NOW.getTime() - lastAgoMs : 0,
  failures_since_ok: failures, failing_since: status === 'ok' ? 0 : NOW.getTime() - lastAgoMs, endpoint: '', previous_ok_endpoint: '',
});

test('plans new and due servers, most overdue first; counts lifecycles; skips opted-out and not-due', () => {
  const entries = [entry('new.chat.eu'), entry('due.chat.eu'), entry('fresh.chat.eu'), entry('out.chat.eu', { optedOut: true }), entry('both.chat.eu', { protocols: ['matrix', 'xmpp'] })];
  const histories = new Map([
    [serverKey('matrix', 'due.chat.eu'), hist(2 * H)],
    [serverKey('matrix', 'fresh.chat.eu'), hist(10 * 60_000)],
    [serverKey('matrix', 'out.chat.eu'), hist(5 * H)],
    [serverKey('xmpp', 'both.chat.eu'), hist(3 * H, 'unreachable', 1)],
  ]);
  const p = planServers({ entries, histories, now: NOW, shard: { index: 1, count: 1 }, schedule: { jitter: 0 } });
  assert.deepEqual(p.items.map((i) => `${i.protocol}:${i.domain}:${i.lifecycle}`).slice(0, 2).sort(), ['matrix:both.chat.eu:new', 'matrix:new.chat.eu:new']);
  assert.deepEqual(p.items.slice(2).map((i) => `${i.protocol}:${i.domain}`), ['xmpp:both.chat.eu', 'matrix:due.chat.eu']);
  assert.equal(p.notDue, 1);
  assert.equal(p.nextDueAt!.getTime(), NOW.getTime() - 10 * 60_000 + H);
  assert.deepEqual({ ...p.lifecycles }, { new: 2, alive: 2, moved: 0, failing: 1, dead: 0, disallowed: 0, 'opted-out': 1 });
  assert.ok(p.optedOut.has('out.chat.eu'));
  assert.equal(p.known.size, 5);
  // When each server last answered, for the history rule (jobs/crawl/status-with-history.ts); never-ok servers are absent.
  assert.deepEqual([...p.answeredAt].map(([k, at]) => `${k}@${(NOW.getTime() - at.getTime()) / 60_000}m`).sort(),
    ['matrix:due.chat.eu@120m', 'matrix:fresh.chat.eu@10m', 'matrix:out.chat.eu@300m']);
});

test('the shard filter and the limit', () => {
  const entries = Array.from({ length: 100 }, (_, i) => entry(`s${i}.chat.eu`));
  const all = new Set<string>();
  for (let i = 1; i <= 4; i++) {
    for (const item of planServers({ entries, histories: new Map(), now: NOW, shard: { index: i, count: 4 } }).items) {
      assert.ok(!all.has(item.domain));
      all.add(item.domain);
    }
  }
  assert.equal(all.size, 100);
  const limited = planServers({ entries, histories: new Map(), now: NOW, shard: { index: 1, count: 1 }, limit: 10 });
  assert.equal(limited.items.length, 10);
  assert.equal(limited.notDue, 90);
});

test('force plans every server of the list whatever its schedule, but never an opted-out one', () => {
  const entries = [entry('fresh.chat.eu'), entry('out.chat.eu', { optedOut: true })];
  const histories = new Map([[serverKey('matrix', 'fresh.chat.eu'), hist(60_000)]]);
  const p = planServers({ entries, histories, now: NOW, shard: { index: 1, count: 1 }, force: true });
  assert.deepEqual(p.items.map((i) => i.domain), ['fresh.chat.eu']);
});

test('planPass refuses a window too short for a history kept between passes', async () => {
  const { planPass } = await import('../../../../jobs/crawl/plan-pass.ts');
  const { HistoryCache } = await import('../../../../jobs/crawl/history-cache.ts');
  const day = 86_400_000;
  // Default ceiling and deadAfterMs are 7 days: 15 days exceeds twice the ceiling (enough without a cache), not 21.
  await assert.rejects(
    planPass({} as never, { asOf: new Date(), shard: { index: 1, count: 1 }, seeds: [], lookbackMs: 15 * day, history: new HistoryCache() }),
    /deadAfterMs/,
  );
});

test('the stored pace goes from the history row to the planned probe: the last 429/503, the last Crawl-delay and its time (0: none)', () => {
  assert.deepEqual(storedPace(0, 0, 0), {});
  assert.deepEqual(storedPace(0, 600, 0), {}, 'a delay with no time is not one the store read');
  const row = { last_at: NOW.getTime() - 2 * H, last_status: 'ok', last_ok_at: NOW.getTime() - 2 * H, failures_since_ok: 0, failing_since: 0, endpoint: '', previous_ok_endpoint: '' };
  const h = toHistory({ ...row, rate_limited_at: NOW.getTime() - 3 * H, crawl_delay: 600, crawl_delay_at: NOW.getTime() - 2 * H });
  assert.deepEqual(h.pace, { rateLimitedAt: NOW.getTime() - 3 * H, crawlDelaySeconds: 600, crawlDelayAt: NOW.getTime() - 2 * H });
  assert.deepEqual(toHistory(row).pace, {}, 'a row of a query that does not read the pace');
  const p = planServers({ entries: [entry('slow.chat.eu')], histories: new Map([[serverKey('matrix', 'slow.chat.eu'), h]]), now: new Date(NOW.getTime() + 7 * 86_400_000), shard: { index: 1, count: 1 } });
  assert.deepEqual(p.items.map((i) => i.pace), [h.pace], 'handed to the probe as stored: the network layer applies the week');
});
