/**
 * Per-host politeness in the real request paths (crawler/net/http.ts
 * fetchBounded, crawler/net/context.ts ctx.connect, which XMPP streams and
 * direct TLS use): fake HTTP servers on 127.10.5.x count what they receive,
 * names come from the harness DNS server on 127.10.5.53.
 *
 * Orders and counts are asserted, never speeds. Intervals and pauses run on a
 * fake clock (tests/harness/fake-clock.ts) given to the politeness registry:
 * the servers stamp each arrival with that clock, and the test moves it to the
 * next wake-up only once the previous request has arrived, so every gap is
 * exact and no assertion depends on how loaded the machine is.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { ServerResponse } from 'node:http';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { json, startFakeServer, text, type FakeServer } from '../../../../sim/fake-https.ts';
import { loadCrawlConfig, type CrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { fetchBounded } from '../../../../crawler/net/http.ts';
import { fetchRobots } from '../../../../crawler/probe/robots-cache.ts';
import { ProbeError } from '../../../../crawler/errors.ts';
import { createFakeClock, type FakeClock } from '../../../harness/fake-clock.ts';

let dns: DnsServer;
const servers: FakeServer[] = [];
const contexts: NetContext[] = [];
let rawServer: net.Server;
const rawAccepts: number[] = [];
const rawSockets = new Set<net.Socket>();

/** Requests held by the busy host until the test releases them. */
const held: ServerResponse[] = [];
let busyInFlight = 0;
let busyPeak = 0;
let busyServed = 0;
/** The politeness clock of the current test's context (each context() makes a new one). */
let clock: FakeClock = createFakeClock();
/** Arrival times on `clock` per path, as the servers saw them. */
const arrivals = new Map<string, number[]>();
const arrived = (key: string): void => {
  const list = arrivals.get(key) ?? [];
  list.push(clock.now());
  arrivals.set(key, list);
};

/**
 * Wait until `check` holds, looking again every few ms. This never decides a
 * result: the bound only turns a hang into a failure that names what was awaited.
 */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 6_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Let `count` requests through one at a time: once request n has arrived and
 * another waits for its slot, move the clock to that slot.
 */
async function stepThrough(seen: () => number, count: number, what: string): Promise<void> {
  for (let n = 1; n < count; n++) {
    await until(() => {
      assert.ok(seen() <= n, `${what} ${n + 1} arrived before the clock reached its slot`);
      return seen() === n && clock.sleepers > 0;
    }, `${what} ${n} to arrive and the next to wait for its slot`);
    clock.advance(clock.nextWake()! - clock.now());
  }
  await until(() => seen() === count, `${what} ${count}`);
}

/** Gaps between consecutive times. */
const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

function context(overrides: Partial<CrawlConfig>): NetContext {
  clock = createFakeClock();
  const ctx = createNetContext(loadCrawlConfig(
    { env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } },
    { stepTimeoutMs: 5000, ...overrides },
  ), { politenessClock: { now: clock.now, sleep: clock.sleep } });
  contexts.push(ctx);
  return ctx;
}

const isCode = (code: string) => (e: unknown) => {
  assert.ok(e instanceof ProbeError, `not a ProbeError: ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
};

before(async () => {
  const hold = (_req: unknown, res: ServerResponse): void => {
    busyInFlight++;
    busyPeak = Math.max(busyPeak, busyInFlight);
    res.on('close', () => { busyInFlight--; busyServed++; });
    held.push(res);
  };
  // One host, two origins (ports): undici's per-origin cap alone would allow 2 + 2.
  servers.push(await startFakeServer({ host: '127.10.5.1', routes: { '/hold': hold } }));
  servers.push(await startFakeServer({ host: '127.10.5.1', routes: { '/hold': hold } }));
  servers.push(await startFakeServer({ host: '127.10.5.2', routes: { '/ok': (req, res) => { arrived('calm'); return json({ ok: true })(req, res); } } }));
  servers.push(await startFakeServer({ host: '127.10.5.3', routes: { '/tick': (req, res) => { arrived('tick'); return text('tick')(req, res); } } }));
  servers.push(await startFakeServer({
    host: '127.10.5.5',
    routes: {
      '/unavailable': (req, res) => { arrived('paused'); return text('later', 503, { 'retry-after': '1' })(req, res); },
      '/unavailable-long': (req, res) => { arrived('paused'); return text('much later', 503, { 'retry-after': '3600' })(req, res); },
      '/ok': (req, res) => { arrived('paused'); return text('ok')(req, res); },
    },
  }));
  servers.push(await startFakeServer({
    host: '127.10.5.6',
    routes: {
      '/robots.txt': text('User-agent: *\nCrawl-delay: 1\nDisallow: /private\n'),
      '/page': (req, res) => { arrived('delayed'); return text('page')(req, res); },
    },
  }));
  // A plain TCP listener for ctx.connect (what XMPP streams open).
  rawServer = net.createServer((socket) => {
    rawAccepts.push(clock.now());
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => rawServer.listen(0, '127.10.5.4', () => resolve()));
  dns = await startDnsServer({
    host: '127.10.5.53',
    zones: {
      'busy.polite.test': { A: ['127.10.5.1'] },
      'calm.polite.test': { A: ['127.10.5.2'] },
      'tick.polite.test': { A: ['127.10.5.3'] },
      'xmpp.polite.test': { A: ['127.10.5.4'] },
      'paused.polite.test': { A: ['127.10.5.5'] },
      'delay.polite.test': { A: ['127.10.5.6'] },
    },
  });
});

after(async () => {
  for (const res of held) res.destroy();
  await Promise.all(contexts.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  for (const s of rawSockets) s.destroy();
  await new Promise<void>((resolve) => rawServer.close(() => resolve()));
  await dns?.close();
});

test('N concurrent fetches to one host never exceed perHostConcurrency in flight, across its origins; other hosts are not held up', async () => {
  const ctx = context({ perHostConcurrency: 2, perHostIntervalMs: 0 });
  const [a, b] = [servers[0], servers[1]].map((s) => `http://busy.polite.test:${s?.port}/hold`);
  const fetches = Array.from({ length: 6 }, (_, i) => fetchBounded(ctx, i % 2 === 0 ? `${a}` : `${b}`));
  await until(() => busyInFlight === 2, 'two requests in flight');
  // Another host answers while busy.polite.test is saturated.
  const calm = await fetchBounded(ctx, `http://calm.polite.test:${servers[2]?.port}/ok`);
  assert.equal(calm.status, 200);
  assert.equal(busyInFlight, 2, 'still two, not four: the cap is per host, not per origin');
  // Release one at a time: each release lets exactly one more in.
  for (let served = 1; served <= 6; served++) {
    held.shift()?.end('done');
    await until(() => busyServed === served, `${served} served`);
    const waiting = 6 - served;
    await until(() => busyInFlight === Math.min(2, waiting), `${Math.min(2, waiting)} in flight after ${served} served`);
  }
  const results = await Promise.all(fetches);
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
  assert.equal(busyPeak, 2);
  assert.equal(ctx.politeness.hosts, 0, 'idle hosts with no pause or crawl-delay are forgotten');
});

test('request starts to one host are at least perHostIntervalMs apart (HTTP and stream connects)', async () => {
  const interval = 150;
  const ctx = context({ perHostIntervalMs: interval });
  const url = `http://tick.polite.test:${servers[3]?.port}/tick`;
  const fetches = Promise.all(Array.from({ length: 5 }, () => fetchBounded(ctx, url)));
  await stepThrough(() => arrivals.get('tick')?.length ?? 0, 5, 'request');
  await fetches;
  assert.deepEqual(gaps(arrivals.get('tick')!), [interval, interval, interval, interval], 'each start waited exactly for its slot');

  const port = (rawServer.address() as net.AddressInfo).port;
  const connects = Promise.all(Array.from({ length: 4 }, () => ctx.connect({ host: 'xmpp.polite.test', port })));
  await stepThrough(() => rawAccepts.length, 4, 'connect');
  for (const s of await connects) s.destroy();
  assert.deepEqual(gaps(rawAccepts), [interval, interval, interval]);
});

test('a 503 with Retry-After pauses that host only; a pause beyond the deadline fails fast with policy.rate-limited', async () => {
  const ctx = context({ perHostIntervalMs: 0 });
  const paused = `http://paused.polite.test:${servers[4]?.port}`;
  const calmUrl = `http://calm.polite.test:${servers[2]?.port}/ok`;
  const first = await fetchBounded(ctx, `${paused}/unavailable`);
  assert.equal(first.status, 503, 'a 503 is a result, not an error');
  const answeredAt = clock.now();
  const calmBefore = arrivals.get('calm')?.length ?? 0;
  const resumed = fetchBounded(ctx, `${paused}/ok`);
  const calm = await fetchBounded(ctx, calmUrl);
  assert.equal(calm.status, 200);
  assert.equal(arrivals.get('calm')?.length, calmBefore + 1);
  await until(() => clock.sleepers === 1, 'the request to the paused host to wait');
  assert.equal(arrivals.get('paused')?.length, 1, 'the paused host has not been asked again while another host was served');
  assert.equal(clock.nextWake(), answeredAt + 1000, 'it waits exactly the Retry-After: 1');
  clock.advance(999);
  assert.equal(clock.sleepers, 1, 'still waiting 1 ms before the end of the pause');
  clock.advance(1);
  assert.equal((await resumed).status, 200);
  assert.deepEqual(arrivals.get('paused'), [answeredAt, answeredAt + 1000]);

  // Retry-After: 3600 is beyond the 5 s step deadline: fail at once, send nothing.
  await fetchBounded(ctx, `${paused}/unavailable-long`);
  const count = arrivals.get('paused')?.length;
  await assert.rejects(fetchBounded(ctx, `${paused}/ok`), isCode('policy.rate-limited'));
  const port = servers[4]?.port ?? 0;
  await assert.rejects(ctx.connect({ host: 'paused.polite.test', port }), isCode('policy.rate-limited'));
  assert.equal(arrivals.get('paused')?.length, count, 'no request reached the paused host');
  assert.equal((await fetchBounded(ctx, calmUrl)).status, 200, 'other hosts are unaffected');
});

test('a robots.txt read through the robots cache sets its host crawl-delay', async () => {
  const ctx = context({ perHostIntervalMs: 0 });
  const base = `http://delay.polite.test:${servers[5]?.port}`;
  const robots = await fetchRobots(ctx, { base, host: '' }, { signal: AbortSignal.timeout(10_000) });
  assert.equal(robots.response?.status, 200);
  const pages = Promise.all([fetchBounded(ctx, `${base}/page`), fetchBounded(ctx, `${base}/page`)]);
  await stepThrough(() => arrivals.get('delayed')?.length ?? 0, 2, 'page');
  await pages;
  assert.deepEqual(gaps(arrivals.get('delayed')!), [1000], 'pages 1 s apart under Crawl-delay: 1');
  assert.equal(ctx.politeness.hosts, 1, 'the crawl-delay is remembered while the host is idle');
});
