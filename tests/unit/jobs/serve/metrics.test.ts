import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCrawlMetrics, crawlRegistry } from '../../../../jobs/serve/metrics.ts';

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
