/**
 * The guide's latency (issue 15 done-when 3): `/choose` (the default page and
 * a filtered one) and `GET /api/v1/guide` cold, warm and under load, at
 * 100,000 servers with 90 days of history by default, beside the server list
 * (`/servers`, `GET /api/v1/servers`) measured the same way in the same run.
 *
 * Through the real Astro build served by `chatlas serve`'s server on
 * 127.77.15.1:
 * - cold: the first request after start, each path in a fresh process
 *   (bench/guide-cold.ts: nothing cached in the process or the engine);
 * - warm: p50/p99 of repeated requests of the same URL, one at a time;
 * - load: req/s and p50/p99 at 1 and 10 connections (autocannon in its own
 *   process, bench/load.ts), every request a new filter combination
 *   (bench/guide-urls.ts), so no cache keyed by the URL answers;
 * - bounds from first principles: what the store must do at the least for
 *   the guide's read (every server's probes summed over 90 days, every
 *   server's latest row, each into JavaScript), and a plain loop that
 *   filters 100,000 records on four fields, sorts what passes and serialises
 *   50 of them; and, to read the figures, the time of the guide's own parts
 *   in process (its read, the grading, one filter and sort).
 *
 *   node bench/guide.ts [--servers 100000] [--days 90] [--data DIR] [--keep]
 *     [--duration 10] [--connections 1,10] [--repeat 30]
 *
 * The fill is bench/guide-facts.ts's (synthetic network, one probe per
 * server-day through the crawler's writer, so every daily rollup the guide
 * reads is filled by the store's views): a store that bench filled (--keep)
 * can be given here with --data, and the fill is skipped. Prints a JSON
 * summary and writes it to bench/results/guide-<date>.json. Everything stays
 * on loopback.
 */
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { startServer } from '../jobs/serve/server.ts';
import { configureApi, defaultLimiters } from '../site/lib/api/deps.ts';
import { RateLimiter } from '../site/lib/api/rate-limiter.ts';
import { rng } from '../tests/harness/synthetic.ts';
import { openGuideStore } from './guide-store.ts';
import { buildSite } from '../tests/e2e/site/browser.ts';
import { run } from '../tests/e2e/api/built-server.ts';
import { listGuideFacts } from '../db/queries/guide/list-guide-facts.ts';
import { buildEntries, queryGuide } from '../guide/query.ts';
import { GUIDE_SEQUENCES, type GuideSequence } from './guide-urls.ts';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '100000' },
    days: { type: 'string', default: '90' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,10' },
    repeat: { type: 'string', default: '30' },
  },
});
const HOST = '127.77.15.1';
const servers = Number(values.servers);
const days = Number(values.days);
const root = values.data ?? mkdtempSync(join(tmpdir(), 'chatlas-bench-guide-'));
const dataDir = join(root, 'data');
const round = (x: number) => Math.round(x * 10) / 10;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

// The store: bench/guide-facts.ts's fill, so one filled store serves both benchmarks.
const opened = await openGuideStore(dataDir, { servers, days });
let db = opened.db;
const fillSeconds = opened.fillSeconds;
const one = async (q: string) => ((await (await db.client.query({ query: q, format: 'JSONEachRow' })).json<Record<string, string>>())[0]!);
const daily = await one('SELECT count() AS rows, uniqExact(domain) AS servers, uniqExact(day) AS days, toString(max(day)) AS last FROM server_daily_v1');
const store = { servers: Number(daily.servers), days: Number(daily.days), serverDailyRows: Number(daily.rows), serverSnapshots: Number((await one('SELECT count() AS n FROM server_snapshots')).n), lastDay: daily.last, fillSeconds };
process.stderr.write(`store: ${JSON.stringify(store)}\n`);
// The cold runs open the store in their own processes: chdb holds one folder per process.
await db.close();

// A build of our own, so a build by someone else cannot change it under the run.
const work = mkdtempSync(join(tmpdir(), 'chatlas-bench-guide-site-'));
process.stderr.write('building the site\n');
const distDir = await buildSite(work);

const FILTER = '?protocol=xmpp&signup=open&uptime30=99';
const TARGETS: Record<string, string> = {
  'choose (default)': '/choose',
  'choose (XMPP, open, uptime30 ≥ 99)': `/choose${FILTER}`,
  'api guide (default)': '/api/v1/guide',
  'api guide (XMPP, open, uptime30 ≥ 99)': `/api/v1/guide${FILTER}`,
  'servers page (peer)': '/servers',
  'api servers (peer)': '/api/v1/servers',
};

// Cold: each path first in a fresh process.
const cold: Record<string, unknown> = {};
for (const [name, path] of Object.entries(TARGETS)) {
  const out = await run(process.execPath, [join('bench', 'guide-cold.ts'), dataDir, distDir, HOST, path], 900_000);
  const line = out.output.split('\n').find((l) => l.startsWith('{'));
  if (out.code !== 0 || !line) throw new Error(`cold ${path}: exit ${out.code}: ${out.output.slice(-2000)}`);
  cold[name] = JSON.parse(line);
  process.stderr.write(`cold ${name}: ${line}\n`);
}

// Warm, in this process.
db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
const wide = () => new RateLimiter({ capacity: 1e9, refillPerSecond: 1e9, maxKeys: 10 });
const running = await startServer({
  db, host: HOST, port: 0, distDir, logger: pino({ level: 'warn' }),
  configure: (s) => configureApi({ db: s, ...defaultLimiters(), readLimiter: wide(), writeLimiter: wide(), cursorKey: new Uint8Array(32), registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } }, now: () => new Date() }),
});
const get = async (path: string) => {
  const t = performance.now();
  const res = await fetch(running.url + path, { signal: AbortSignal.timeout(600_000) });
  const ttfb = performance.now() - t;
  const body = await res.arrayBuffer();
  return { status: res.status, ttfb, full: performance.now() - t, bytes: body.byteLength };
};
for (const path of Object.values(TARGETS)) {
  const first = await get(path);
  if (first.status !== 200) throw new Error(`${path}: ${first.status}`);
}
const repeat = Number(values.repeat);
const warm: Record<string, unknown> = {};
for (const [name, path] of Object.entries(TARGETS)) {
  const full: number[] = [];
  const ttfb: number[] = [];
  let kB = 0;
  for (let i = 0; i < repeat; i++) {
    const r = await get(path);
    full.push(r.full);
    ttfb.push(r.ttfb);
    kB = r.bytes / 1024;
  }
  full.sort((a, b) => a - b);
  ttfb.sort((a, b) => a - b);
  warm[name] = { path, ttfbP50: round(quantile(ttfb, 0.5)), fullP50: round(quantile(full, 0.5)), fullP99: round(quantile(full, 0.99)), fullMax: round(full.at(-1)!), kB: round(kB) };
  process.stderr.write(`warm ${name}: ${JSON.stringify(warm[name])}\n`);
}

// The answer sizes the floor serialises: one API row of the guide, in bytes.
const apiAnswer = JSON.parse(await (await fetch(`${running.url}/api/v1/guide?limit=50`)).text()) as Record<string, unknown>;
const apiRows = (Object.values(apiAnswer).find((v) => Array.isArray(v)) ?? []) as unknown[];
const rowBytes = apiRows.length ? Math.round(JSON.stringify(apiRows).length / apiRows.length) : 2000;

// Load: every request a new filter combination.
const load: Record<string, unknown> = {};
const connections = values.connections!.split(',').map(Number);
for (const sequence of Object.keys(GUIDE_SEQUENCES) as GuideSequence[]) {
  // Warm the path once with a URL no run sends (the sequence's n-th URLs start at 0; this is far past).
  await get(GUIDE_SEQUENCES[sequence](5_000_000));
  let first = 0;
  for (const c of connections) {
    const loadAverage1m = round(loadavg()[0]!);
    const cpuBefore = process.cpuUsage();
    const out = await run(process.execPath, [join('bench', 'load.ts'), running.url, sequence, String(c), values.duration!, String(first), '60'], 600_000);
    const cpu = process.cpuUsage(cpuBefore);
    const json = JSON.parse(out.output.slice(out.output.indexOf('{')));
    if (json.distinctUrls !== json.urlsSent) throw new Error(`${sequence}: ${json.urlsSent} URLs sent, ${json.distinctUrls} distinct`);
    first += json.urlsSent + 1;
    // autocannon stops at its deadline without waiting for requests in flight: let them finish.
    await new Promise((r) => setTimeout(r, 3000));
    load[`${sequence}@c${c}`] = {
      example: GUIDE_SEQUENCES[sequence](7),
      connections: c, loadAverage1m, distinctUrls: json.distinctUrls,
      requestsPerSecond: json.requests.average,
      latencyMs: { p50: json.latency.p50, p99: json.latency.p99, max: json.latency.max },
      serverCpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / Math.max(1, json.requests.total)),
      non2xx: json.non2xx, errors: json.errors, timeouts: json.timeouts,
    };
    process.stderr.write(`load ${sequence} c=${c}: ${JSON.stringify(load[`${sequence}@c${c}`])}\n`);
  }
}
// Where a request's time goes, in this process (the code's own parts, to read the figures above), and
// what the store must do at the least for the guide's read (the bound): every server's probes summed
// over 90 days (server_daily_v1, 100,000 groups) and every server's latest row, each into JavaScript.
const median = async (runs: number, f: () => Promise<unknown> | unknown) => {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) { const t = performance.now(); await f(); ts.push(performance.now() - t); }
  return round(ts.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
};
const now = new Date();
const facts = await listGuideFacts(db, { now });
const entries = buildEntries(facts, now);
const parts = {
  listGuideFacts: await median(3, () => listGuideFacts(db, { now })),
  buildEntries: await median(3, () => buildEntries(facts, now)),
  queryGuideDefault: await median(9, () => queryGuide(entries, {})),
  queryGuideFiltered: await median(9, () => queryGuide(entries, { protocol: 'xmpp', signup: 'open', uptime30: 99 })),
};
const rowsOf = (query: string) => async () => (await db.client.query({ query, format: 'JSONEachRow' })).json();
const storeFloor = {
  uptimeSums: await median(5, rowsOf('SELECT protocol, domain, sum(ok_probes) AS ok, sum(probes) AS probes FROM server_daily_v1 WHERE day > today() - 90 GROUP BY protocol, domain')),
  latestRows: await median(5, rowsOf('SELECT protocol, domain, status, software, version, registration, tls_valid, tls_expires_at, ipv6, offer FROM servers_latest FINAL')),
};
process.stderr.write(`parts: ${JSON.stringify(parts)}; store floor: ${JSON.stringify(storeFloor)}\n`);
await running.close();
await db.close();

// First principles: the least any implementation of one distinct request does in JavaScript once the
// servers' facts are in memory: test four fields of each of 100,000 records, sort what passes by a
// number, serialise 50 answers of the API's row size.
const r = rng(3);
const records = Array.from({ length: store.servers }, (_, i) => ({ i, protocol: r() < 0.55 ? 'matrix' : 'xmpp', signup: r() < 0.6 ? 'closed' : 'open', ipv6: r() < 0.45, uptime: r(), pad: 'x'.repeat(Math.max(0, rowBytes - 80)) }));
const floorRuns: number[] = [];
for (let k = 0; k < 21; k++) {
  const min = (k % 10) / 10;
  const t = performance.now();
  const passed = records.filter((x) => x.protocol === 'xmpp' && x.signup === 'open' && x.uptime >= min && (k % 2 === 0 || x.ipv6));
  passed.sort((a, b) => b.uptime - a.uptime || a.i - b.i);
  JSON.stringify(passed.slice(0, 50));
  floorRuns.push(performance.now() - t);
}
floorRuns.sort((a, b) => a - b);
const floorMs = round(quantile(floorRuns, 0.5));

const summary = {
  benchmark: 'guide',
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage1m: round(loadavg()[0]!) },
  store,
  coldMs: cold,
  warmMs: warm,
  load: { durationS: Number(values.duration), results: load },
  floor: { records: store.servers, apiRowBytes: rowBytes, filterSortSerialiseMs: floorMs, storeMs: storeFloor },
  partsMs: parts,
};
console.log(JSON.stringify(summary, null, 2));
mkdirSync(join('bench', 'results'), { recursive: true });
writeFileSync(join('bench', 'results', `guide-${summary.date.slice(0, 10)}.json`), `${JSON.stringify(summary, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
if (!values.keep && values.data === undefined) rmSync(root, { recursive: true, force: true });
