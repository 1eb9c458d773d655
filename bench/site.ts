/**
 * Site benchmark (issue 6), on one store of 100,000 servers and about
 * 1,000,000 public rooms:
 *
 * - time to first byte and full load of each page (fetch: headers, then the
 *   whole body; and in headless Chromium: the load event with every asset);
 * - room search latency straight on the query (the <100 ms target).
 *
 * Sustained API load (requests per second, p50/p99) is bench/api.ts.
 *
 *   node bench/site.ts [--servers 100000] [--rooms-per-server 10.5] [--days 30] [--data DIR] [--keep]
 *
 * With --data pointing at a filled store (from an earlier --keep run) the fill
 * is skipped. Everything listens on 127.74.0.1. Prints a JSON summary.
 */
import { cpus, totalmem, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { insertProbeResults } from '../db/queries/observations/insert-probe-results.ts';
import { searchRooms } from '../db/queries/rooms/search-rooms.ts';
import { syntheticNetwork } from '../tests/harness/synthetic.ts';
import { runNetworkRollup } from '../jobs/rollup/network-rollup.ts';
import { compactRoomsCurrent } from '../db/queries/rooms/compact-rooms-current.ts';
import { startServer } from '../jobs/serve/server.ts';
import { ensureSiteBuilt } from '../jobs/serve/site-build.ts';
import { configureApi, defaultLimiters } from '../site/lib/api/deps.ts';
import { RateLimiter } from '../site/lib/api/rate-limiter.ts';
import { pino } from 'pino';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '100000' },
    'rooms-per-server': { type: 'string', default: '10.5' },
    days: { type: 'string', default: '30' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
      },
});
const servers = Number(values.servers);
const days = Number(values.days);
const root = values.data ?? mkdtempSync(join(tmpdir(), 'chatlas-bench-site-'));
const dataDir = join(root, 'data');
const fresh = !existsSync(dataDir);
const logger = pino({ level: 'warn' });
const round = (x: number) => Math.round(x * 10) / 10;

const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
await migrate(db);
let fillSeconds: number | null = null;
if (fresh) {
  const t = performance.now();
  // Two probe steps per server-day keep the fill about the pages, not the raw observations (bench/store.ts covers those).
  for (const day of syntheticNetwork({ servers, days, roomsPerServer: Number(values['rooms-per-server']), roomDays: 2, stepsPerProbe: 2, seed: 11 })) {
    for (let i = 0; i < day.length; i += 5000) await insertProbeResults(db, day.slice(i, i + 5000));
    process.stderr.write(`\rfilled ${day[0]!.snapshot.observedAt.toISOString().slice(0, 10)} (${((performance.now() - t) / 1000).toFixed(0)} s)   `);
  }
  process.stderr.write('\n');
  await db.client.command({ query: 'OPTIMIZE TABLE rooms_latest FINAL' });
  await db.client.command({ query: 'OPTIMIZE TABLE servers_latest FINAL' });
  await db.client.command({ query: 'OPTIMIZE TABLE servers_last_ok FINAL' });
  fillSeconds = round((performance.now() - t) / 1000);
}
// As `chatlas serve` does before warming the pages: the network rollup of every closed bucket.
const rollupStarted = performance.now();
const rollup = await runNetworkRollup(db);
process.stderr.write(`network rollup: ${JSON.stringify(rollup)} in ${((performance.now() - rollupStarted) / 1000).toFixed(1)} s\n`);
// As `chatlas serve`'s housekeeping does every 6 h: the room directory's table merged to one row per room.
const compactStarted = performance.now();
await compactRoomsCurrent(db);
process.stderr.write(`rooms_current compacted in ${((performance.now() - compactStarted) / 1000).toFixed(1)} s\n`);
const count = async (q: string) => Number(((await (await db.client.query({ query: q, format: 'JSONEachRow' })).json<{ n: string }>())[0]!).n);
const size = {
  servers: await count('SELECT count() AS n FROM servers_latest FINAL'),
  rooms: await count('SELECT count() AS n FROM rooms_latest FINAL'),
  roomSnapshots: await count('SELECT count() AS n FROM room_snapshots'),
  serverSnapshots: await count('SELECT count() AS n FROM server_snapshots'),
};
process.stderr.write(`store: ${JSON.stringify(size)}\n`);

// Room search on the query itself.
const SEARCHES: Record<string, Parameters<typeof searchRooms>[1]> = {
  'no words, by members (first page)': {},
  'one common word ("linux")': { q: 'linux' },
  'two words ("room about rust")': { q: 'about rust' },
  'rare word (no match)': { q: 'zzqxj' },
  'word + protocol + language + min members': { q: 'music', protocol: 'matrix', language: 'de', minMembers: 50 },
  'spaces only': { type: 'space' },
  'sort by growth': { q: 'science', sort: 'growth' },
  'page 40': { q: 'general', page: 40 },
};
const search: Record<string, { p50: number; max: number; total: number }> = {};
for (const [name, params] of Object.entries(SEARCHES)) {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < 9; i++) {
    const t = performance.now();
    total = (await searchRooms(db, params)).total;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  search[name] = { p50: round(times[4]!), max: round(times[8]!), total };
}
process.stderr.write(`search: ${JSON.stringify(search)}\n`);

// The site, with rate limits opened wide: this measures the server, not the limiter.
await ensureSiteBuilt(logger);
const wide = () => new RateLimiter({ capacity: 1e9, refillPerSecond: 1e9, maxKeys: 10 });
const running = await startServer({
  db, host: '127.74.0.1', port: 0, logger,
  configure: (store) => configureApi({ db: store, ...defaultLimiters(), readLimiter: wide(), writeLimiter: wide(), cursorKey: new Uint8Array(32), registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } }, now: () => new Date() }),
});
const someServer = (await (await db.client.query({ query: "SELECT domain FROM servers_latest FINAL WHERE status = 'ok' AND software = 'synapse' ORDER BY public_rooms DESC LIMIT 1", format: 'JSONEachRow' })).json<{ domain: string }>())[0]!.domain;
const PAGES = ['/', '/?range=1y', '/software', '/software/synapse', '/servers', `/servers?software=prosody&sort=rooms`, `/servers/${someServer}`, '/rooms', '/rooms?q=linux', '/rooms?q=rust&protocol=matrix&sort=growth', '/about/data', '/api/v1/stats', '/api/v1/rooms?q=linux', `/api/v1/servers/${someServer}`];
const pages: Record<string, { status: number; ttfbP50: number; fullP50: number; fullMax: number; kB: number }> = {};
for (const path of PAGES) {
  const ttfb: number[] = [];
  const full: number[] = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const res = await fetch(running.url + path);
    ttfb.push(performance.now() - t);
    bytes = (await res.arrayBuffer()).byteLength;
    full.push(performance.now() - t);
    status = res.status;
  }
  ttfb.sort((a, b) => a - b);
  full.sort((a, b) => a - b);
  pages[path] = { status, ttfbP50: round(ttfb[3]!), fullP50: round(full[3]!), fullMax: round(full[6]!), kB: round(bytes / 1024) };
}
process.stderr.write(`pages: ${JSON.stringify(pages)}\n`);

// Full load in a real browser: the load event, with the chart script and styles.
const browserLoad: Record<string, number> = {};
try {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage();
  for (const path of ['/', '/software', '/servers', `/servers/${someServer}`, '/rooms?q=linux']) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(running.url + path, { waitUntil: 'load' });
      runs.push(await page.evaluate(() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return n.loadEventEnd - n.startTime; }));
    }
    runs.sort((a, b) => a - b);
    browserLoad[path] = round(runs[1]!);
  }
  await browser.close();
} catch (error) {
  process.stderr.write(`browser load not measured: ${(error as Error).message.split('\n')[0]}\n`);
}

await running.close();
await db.close();
if (!values.keep && !values.data) rmSync(root, { recursive: true, force: true });

process.stdout.write(`${JSON.stringify({
  benchmark: 'site',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  config: { servers, days, roomsPerServer: Number(values['rooms-per-server']), fillSeconds },
  store: size,
  roomSearchMs: search,
  pagesMs: pages,
  browserLoadMs: browserLoad,
}, null, 2)}\n`);
