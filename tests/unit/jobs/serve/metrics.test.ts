import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrawlMetrics, crawlRegistry } from '../../../../jobs/serve/metrics.ts';
import { RequestBudget } from '../../../../crawler/net/request-budget.ts';

test('probes, queue depth, latency and last successful pass reach the exposition text', async () => {
  const m = createCrawlMetrics();
  m.observer.probeFinished!({ protocol: 'matrix', domain: 'a.chat.eu', status: 'ok', durationMs: 300 });
  m.observer.probeFinished!({ protocol: 'matrix', domain: 'b.chat.eu', status: 'unreachable', durationMs: 5000 });
  m.observer.probeFinished!({ protocol: 'xmpp', domain: 'c.chat.eu', status: 'ok', durationMs: 40 });
  m.observer.queueDepth!(17);
  m.observer.batchStored!({ servers: 3, durationMs: 20, keys: [] });
  m.observer.passFinished!({ passId: 'p', state: 'done', probed: 3, durationMs: 1, finishedAt: new Date(1_700_000_000_000) });
  const text = await m.registry.metrics();
  assert.match(text, /chatlas_probes_total\{protocol="matrix",outcome="ok"\} 1/);
  assert.match(text, /chatlas_probes_total\{protocol="matrix",outcome="unreachable"\} 1/);
  assert.match(text, /chatlas_probes_total\{protocol="xmpp",outcome="ok"\} 1/);
  assert.match(text, /chatlas_probe_duration_seconds_bucket\{le="0.5",protocol="matrix"\} 1/);
  assert.match(text, /chatlas_probe_duration_seconds_count\{protocol="matrix"\} 2/);
  assert.match(text, /chatlas_last_successful_pass_timestamp_seconds 1700000000/);
  assert.match(text, /chatlas_stored_servers_total 3/);
  // queue depth returns to 0 when the pass ends
  assert.match(text, /chatlas_crawl_queue_depth 0/);
});

test('a stopped pass does not move the last successful pass', async () => {
  const m = createCrawlMetrics();
  m.observer.passFinished!({ passId: 'p', state: 'stopped', probed: 3, durationMs: 1, finishedAt: new Date(1_700_000_000_000) });
  assert.match(await m.registry.metrics(), /chatlas_last_successful_pass_timestamp_seconds 0/);
});

test('the process registry exported for /metrics carries the crawl metrics', async () => {
  const text = await crawlRegistry.metrics();
  assert.match(text, /# TYPE chatlas_probes_total counter/);
  assert.match(crawlRegistry.contentType, /text\/plain/);
});

test('requests per server over 24 h reach /metrics from the request budget: totals by channel, refusals, the most asked servers', async () => {
  const m = createCrawlMetrics();
  let now = Date.UTC(2026, 2, 2, 12);
  const budget = new RequestBudget({ dailyLimit: 3, now: () => now, ...m.budgetHooks });
  m.watchBudget(budget);
  budget.take('matrix:big.example', 'http');
  budget.take('matrix:big.example', 'connect');
  budget.take('matrix:big.example', 'http');
  assert.throws(() => budget.take('matrix:big.example', 'http'));
  budget.take('xmpp:small.example', 'observer');
  const text = await m.registry.metrics();
  assert.match(text, /chatlas_requests_total\{protocol="matrix",channel="http"\} 2/);
  assert.match(text, /chatlas_requests_total\{protocol="xmpp",channel="observer"\} 1/);
  assert.match(text, /chatlas_requests_refused_total\{protocol="matrix"\} 1/);
  assert.match(text, /chatlas_server_requests_24h\{protocol="matrix",server="big.example"\} 3/);
  assert.match(text, /chatlas_server_requests_24h\{protocol="xmpp",server="small.example"\} 1/);
  assert.match(text, /chatlas_server_requests_24h_max 3/);
  // A day later the window is empty: the per-server series are gone, the totals stay.
  now += 25 * 3_600_000;
  const later = await m.registry.metrics();
  assert.doesNotMatch(later, /chatlas_server_requests_24h\{/);
  assert.match(later, /chatlas_server_requests_24h_max 0/);
  assert.match(later, /chatlas_requests_total\{protocol="matrix",channel="http"\} 2/);
});
