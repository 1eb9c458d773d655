import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createPoliteness, paceOf, parseRetryAfter, retryAfterFacts } from '../../../../crawler/policy/politeness.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

test('at most perHostConcurrency tasks run at once per host; other hosts are not held up', async () => {
  const p = createPoliteness({ perHostConcurrency: 1, minIntervalMs: 0 });
  let running = 0;
  let peak = 0;
  const gates: Array<() => void> = [];
  const task = () => new Promise<void>((resolve) => {
    running++;
    peak = Math.max(peak, running);
    gates.push(() => { running--; resolve(); });
  });
  const all = [p.run('a.test', task), p.run('A.TEST', task), p.run('a.test', task), p.run('b.test', task)];
  await flush();
  assert.equal(running, 2, 'one task for a.test and one for b.test');
  while (gates.length > 0) {
    gates.shift()?.();
    await flush();
  }
  await Promise.all(all);
  assert.equal(peak, 2);
  assert.equal(p.hosts, 0, 'idle hosts are forgotten');
});

test('two slots per host when configured', async () => {
  const p = createPoliteness({ perHostConcurrency: 2, minIntervalMs: 0 });
  let running = 0;
  let peak = 0;
  const release: Array<() => void> = [];
  const runs = Array.from({ length: 5 }, () => p.run('h.test', () => new Promise<void>((r) => {
    running++;
    peak = Math.max(peak, running);
    release.push(() => { running--; r(); });
  })));
  await flush();
  assert.equal(running, 2);
  while (release.length > 0) { release.shift()?.(); await flush(); }
  await Promise.all(runs);
  assert.equal(peak, 2);
});

test('the least interval, crawl-delay and Retry-After delay the next start', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  try {
    const p = createPoliteness({ perHostConcurrency: 2, minIntervalMs: 1000, now: () => Date.now() });
    const started: number[] = [];
    const job = (n: number) => p.run('x.test', async () => { started.push(n); });
    const first = job(1);
    const second = job(2);
    await flush();
    assert.deepEqual(started, [1]);
    mock.timers.tick(999);
    await flush();
    assert.deepEqual(started, [1]);
    mock.timers.tick(1);
    await flush();
    assert.deepEqual(started, [1, 2]);
    await Promise.all([first, second]);

    p.setCrawlDelay('x.test', 5);
    mock.timers.tick(1000);
    const third = job(3);
    const fourth = job(4);
    await flush();
    assert.deepEqual(started, [1, 2, 3]);
    mock.timers.tick(4999);
    await flush();
    assert.deepEqual(started, [1, 2, 3]);
    mock.timers.tick(1);
    await flush();
    assert.deepEqual(started, [1, 2, 3, 4]);
    await Promise.all([third, fourth]);

    p.noteResponse('y.test', 429, '30');
    const fifth = p.run('y.test', async () => { started.push(5); });
    mock.timers.tick(29_999);
    await flush();
    assert.equal(started.includes(5), false);
    mock.timers.tick(1);
    await fifth;
    assert.equal(started.at(-1), 5);
  } finally {
    mock.timers.reset();
  }
});

test('a pause longer than maxWaitMs fails fast with policy.rate-limited', async () => {
  const p = createPoliteness({ maxWaitMs: 60_000, minIntervalMs: 0 });
  p.noteResponse('slow.test', 503, '3600');
  let ran = false;
  await assert.rejects(p.run('slow.test', async () => { ran = true; }), (e: unknown) => e instanceof ProbeError && e.code === 'policy.rate-limited');
  assert.equal(ran, false);
});

test('a 2xx without Retry-After does not pause', async () => {
  const p = createPoliteness({ minIntervalMs: 0 });
  p.noteResponse('ok.test', 200, null);
  assert.equal(p.hosts, 0);
});

test('perHostConcurrency outside 1-2 is refused, quoting the value', () => {
  assert.throws(() => createPoliteness({ perHostConcurrency: 5 }), /5/);
});

test('parseRetryAfter: seconds, HTTP-date, junk', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter('-5', now), null);
  assert.equal(parseRetryAfter(null, now), null);
});


test('paceOf reads what retryAfterFacts and the robots.txt step wrote: a 429/503 with Retry-After, the largest Crawl-delay', () => {
  const facts = (f: Record<string, unknown>) => ({ facts: f });
  assert.deepEqual(paceOf([]), { rateLimited: false, crawlDelaySeconds: null });
  assert.deepEqual(paceOf([facts({ status: 200, ...retryAfterFacts(200, { 'retry-after': '30' }) })]), { rateLimited: false, crawlDelaySeconds: null }, 'a 200 does not ask to pause');
  assert.deepEqual(paceOf([facts({ status: 429 }), facts(retryAfterFacts(429, {}))]), { rateLimited: false, crawlDelaySeconds: null }, 'a 429 without Retry-After does not count');
  assert.deepEqual(paceOf([facts({ crawlDelaySeconds: 10 }), facts({ ...retryAfterFacts(503, { 'retry-after': '120' }), crawlDelaySeconds: 600 })]), { rateLimited: true, crawlDelaySeconds: 600 });
  assert.deepEqual(paceOf([facts({ crawlDelaySeconds: 'x' }), facts({ crawlDelaySeconds: -1 }), facts({ retryAfter: 7 })]), { rateLimited: false, crawlDelaySeconds: null }, 'hostile shapes are ignored');
});
