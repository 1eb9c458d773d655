import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crawlDelayOf, retryAfterOf } from '../../../../jobs/crawl/probe-hints.ts';
import { failedProbeResult } from '../../../../jobs/crawl/failed-probe-result.ts';

const at = new Date(Date.UTC(2026, 0, 1, 12));
const withFacts = (...facts: Array<Record<string, unknown>>) => {
  const r = failedProbeResult('00000000-0000-4000-8000-000000000001', 'a.chat.eu', 'matrix', at, 1, new Error('x'));
  r.observations = facts.map((f) => ({ ...r.observations[0]!, facts: f }));
  return r;
};

test('Retry-After from facts: relative ms, absolute time, raw header seconds and HTTP-date; the latest wins', () => {
  assert.equal(retryAfterOf(withFacts({})), null);
  assert.equal(retryAfterOf(withFacts({ retryAfterMs: 60_000 }))!.getTime(), at.getTime() + 60_000);
  assert.equal(retryAfterOf(withFacts({ retryAfterUntil: '2026-01-01T14:00:00Z' }))!.getTime(), Date.UTC(2026, 0, 1, 14));
  assert.equal(retryAfterOf(withFacts({ retryAfter: '120' }))!.getTime(), at.getTime() + 120_000);
  assert.equal(retryAfterOf(withFacts({ retryAfter: 'Thu, 01 Jan 2026 13:00:00 GMT' }))!.getTime(), Date.UTC(2026, 0, 1, 13));
  assert.equal(retryAfterOf(withFacts({ retryAfter: '120' }, { retryAfterMs: 3_600_000 }))!.getTime(), at.getTime() + 3_600_000);
});

test('hostile or junk Retry-After values are bounded or ignored', () => {
  assert.equal(retryAfterOf(withFacts({ retryAfter: '99999999999' }))!.getTime(), at.getTime() + 30 * 86_400_000);
  assert.equal(retryAfterOf(withFacts({ retryAfter: 'soon' })), null);
  assert.equal(retryAfterOf(withFacts({ retryAfterMs: -5 })), null);
  assert.equal(retryAfterOf(withFacts({ retryAfterMs: Number.NaN })), null);
  assert.equal(retryAfterOf(withFacts({ retryAfterUntil: '2020-01-01T00:00:00Z' })), null);
});

test('crawl-delay from facts in ms, at most a day', () => {
  assert.equal(crawlDelayOf(withFacts({})), null);
  assert.equal(crawlDelayOf(withFacts({ crawlDelaySeconds: 10 })), 10_000);
  assert.equal(crawlDelayOf(withFacts({ crawlDelaySeconds: 1e9 })), 86_400_000);
  assert.equal(crawlDelayOf(withFacts({ crawlDelaySeconds: '10' })), null);
});
