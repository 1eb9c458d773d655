/**
 * Cold and warm time of the guide's one read (issue 15): `listGuideFacts`,
 * every listable server's facts, uptime windows, first-seen day and version
 * release data, straight on the store (no HTTP, no memo), at 100,000 servers
 * with 90 days of history by default.
 *
 *   node bench/guide-facts.ts [--servers 100000] [--days 90] [--data DIR] [--keep] [--fill-only]
 *
 * The fill is bench/overview-queries.ts's (synthetic network, one probe per
 * server-day, few rooms): the guide reads server rows and rollups only; 100,000
 * servers over 90 days take about 25 minutes on 2 cores. With --data pointing
 * at a filled store the fill is skipped, so "cold" (the first
 * call in this process: ClickHouse's caches empty, the OS page cache as it
 * is) can be measured again in a fresh process. "warm" is the median of the
 * next four calls. Prints a table on stdout.
 */
import { cpus } from 'node:os';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listGuideFacts } from '../db/queries/guide/list-guide-facts.ts';
import { openGuideStore } from './guide-store.ts';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '100000' },
    days: { type: 'string', default: '90' },
    data: { type: 'string', default: '/work/bench-data/guide-facts' },
    keep: { type: 'boolean', default: false },
    'fill-only': { type: 'boolean', default: false },
  },
});
const servers = Number(values.servers);
const days = Number(values.days);
const root = values.data;
const dataDir = join(root, 'data');
const fresh = !existsSync(dataDir);
mkdirSync(root, { recursive: true });

const { db, fillSeconds } = await openGuideStore(dataDir, { servers, days });
if (values['fill-only']) {
  await db.close();
  process.exit(0);
}
const one = async (q: string) => ((await (await db.client.query({ query: q, format: 'JSONEachRow' })).json<Record<string, unknown>>())[0]!);
// "Now" is noon of the last synthetic day, as the site would see it right after the crawl.
const last = String((await one('SELECT toString(max(day)) AS d FROM server_daily_v1')).d);
const now = new Date(`${last}T12:00:00Z`);

const times: number[] = [];
let listed = 0;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  listed = (await listGuideFacts(db, { now })).length;
  times.push(performance.now() - t);
  process.stderr.write(`run ${i + 1}: ${Math.round(times[i]!)} ms, ${listed} servers\n`);
}
const size = await one('SELECT count() AS rows, uniqExact(domain) AS servers, uniqExact(day) AS days FROM server_daily_v1');
const heap = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
await db.close();
// A store this run filled is removed unless --keep; a store given with --data that was already filled is left.
if (fresh && !values.keep) rmSync(root, { recursive: true, force: true });

const warm = times.slice(1).sort((a, b) => a - b);
process.stdout.write([
  `guide facts, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
  `store: ${size.servers} servers, ${size.days} days, ${size.rows} server_daily_v1 rows${fillSeconds === null ? '' : `; fill ${fillSeconds} s`}`,
  `listGuideFacts: ${listed} servers listed; cold ${Math.round(times[0]!)} ms, warm ${Math.round((warm[1]! + warm[2]!) / 2)} ms (median of 4); heap after ${heap} MB`,
].join('\n') + '\n');
