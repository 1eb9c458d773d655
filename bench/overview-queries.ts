/**
 * Cold and warm time of each rollup query behind the overview (`/`), the
 * software pages (`/software`, `/software/<name>`) and `/api/v1/stats`, run
 * straight on the store (no HTTP, no page cache), so a slow page can be traced
 * to its query.
 *
 *   node bench/overview-queries.ts [--servers 20000] [--days 30] [--data DIR] [--keep] [--rollup on|off]
 *
 * The fill is bench/site.ts's (synthetic network, two probe steps per
 * server-day) with few rooms: these queries read server rollups only. With
 * --data pointing at a filled store the fill is skipped. "cold" is the first
 * run of a query in this process; "warm" the median of the next four.
 * With `--rollup on` (the default) the network rollup job's round runs first, as
 * `chatlas serve` does at start; `--rollup off` empties network_buckets_v1, so
 * every bucket is computed from server_daily_v1. Prints a table on stdout.
 */
import { cpus } from 'node:os';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { insertProbeResults } from '../db/queries/observations/insert-probe-results.ts';
import { getNetworkTotals } from '../db/queries/stats/get-network-totals.ts';
import { getNetworkSeries } from '../db/queries/stats/get-network-series.ts';
import { getServerChurn } from '../db/queries/stats/get-server-churn.ts';
import { getSoftwareSeries } from '../db/queries/software/get-software-series.ts';
import { getSoftwareShare } from '../db/queries/software/get-software-share.ts';
import { getSoftwareComparison } from '../db/queries/software/get-software-comparison.ts';
import { getVersionSeries } from '../db/queries/software/get-version-series.ts';
import { getRegistrationModes } from '../db/queries/software/get-registration-modes.ts';
import { getFeatureAdoption } from '../db/queries/software/get-feature-adoption.ts';
import { syntheticNetwork } from '../tests/harness/synthetic.ts';
import { rangeWindow } from '../site/lib/range-window.ts';
import { runNetworkRollup } from '../jobs/rollup/network-rollup.ts';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '20000' },
    days: { type: 'string', default: '30' },
    data: { type: 'string', default: '/work/bench-data/overview-queries' },
    keep: { type: 'boolean', default: false },
    'fill-only': { type: 'boolean', default: false },
    rollup: { type: 'string', default: 'on' },
  },
});
const servers = Number(values.servers);
const days = Number(values.days);
const root = values.data;
const dataDir = join(root, 'data');
const fresh = !existsSync(dataDir);
mkdirSync(root, { recursive: true });
const round = (x: number) => Math.round(x);

const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
await migrate(db);
if (fresh) {
  const t = performance.now();
  for (const day of syntheticNetwork({ servers, days, roomsPerServer: 0.5, roomDays: 1, stepsPerProbe: 2, seed: 11 })) {
    for (let i = 0; i < day.length; i += 5000) await insertProbeResults(db, day.slice(i, i + 5000));
    process.stderr.write(`\rfilled ${day[0]!.snapshot.observedAt.toISOString().slice(0, 10)} (${((performance.now() - t) / 1000).toFixed(0)} s)   `);
  }
  process.stderr.write(`\nfill: ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  await db.client.command({ query: 'OPTIMIZE TABLE servers_latest FINAL' });
  await db.client.command({ query: 'OPTIMIZE TABLE servers_last_ok FINAL' });
}
if (values['fill-only']) {
  await db.close();
  process.exit(0);
}
let rollupMs: number | null = null;
if (values.rollup === 'off') {
  await db.client.command({ query: 'TRUNCATE TABLE IF EXISTS network_buckets_v1' });
} else {
  const t = performance.now();
  process.stderr.write(`rollup round: ${JSON.stringify(await runNetworkRollup(db))}\n`);
  rollupMs = Math.round(performance.now() - t);
}
const one = async (q: string) => ((await (await db.client.query({ query: q, format: 'JSONEachRow' })).json<Record<string, unknown>>())[0]!);
const size = await one('SELECT count() AS rows, uniqExact(domain) AS servers, uniqExact(day) AS days FROM server_daily_v1');
// "Today" is the last synthetic day, as the site would see it right after the crawl.
const last = String((await one('SELECT toString(max(day)) AS d FROM server_daily_v1')).d);
const now = new Date(`${last}T12:00:00Z`);
const asOf = (await getNetworkTotals(db, { now })).asOf ?? last;

const QUERIES: Record<string, () => Promise<unknown>> = {
  'getNetworkTotals (30d compare, / and /software)': () => getNetworkTotals(db, { now, compareDays: 30 }),
  'getNetworkTotals (365d compare, /api/v1/stats?range=1y)': () => getNetworkTotals(db, { now, compareDays: 365 }),
  'getNetworkSeries 30d/day': () => getNetworkSeries(db, rangeWindow('30d', now)),
  'getNetworkSeries 1y/week': () => getNetworkSeries(db, rangeWindow('1y', now)),
  'getNetworkSeries all/month': () => getNetworkSeries(db, rangeWindow('all', now)),
  'getSoftwareSeries 30d/day': () => getSoftwareSeries(db, rangeWindow('30d', now)),
  'getSoftwareSeries 1y/week': () => getSoftwareSeries(db, rangeWindow('1y', now)),
  'getSoftwareShare (asOf)': () => getSoftwareShare(db, { day: asOf }),
  'getServerChurn 30d': () => getServerChurn(db, rangeWindow('30d', now)),
  'getSoftwareComparison': () => getSoftwareComparison(db),
  'getVersionSeries synapse 30d/day': () => getVersionSeries(db, { software: 'synapse', ...rangeWindow('30d', now) }),
  'getVersionSeries synapse 90d/day': () => getVersionSeries(db, { software: 'synapse', ...rangeWindow('90d', now, 'day') }),
  'getRegistrationModes (asOf)': () => getRegistrationModes(db, { day: asOf }),
  'getFeatureAdoption (asOf)': () => getFeatureAdoption(db, { day: asOf, limit: 12 }),
};

const rows: { query: string; cold: number; warm: number }[] = [];
for (const [name, run] of Object.entries(QUERIES)) {
  let t = performance.now();
  await run();
  const cold = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < 4; i++) {
    t = performance.now();
    await run();
    warm.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  rows.push({ query: name, cold: round(cold), warm: round((warm[1]! + warm[2]!) / 2) });
  process.stderr.write(`${name}: ${round(cold)} ms\n`);
}

await db.close();
if (!values.keep) rmSync(root, { recursive: true, force: true });

const width = Math.max(...rows.map((r) => r.query.length));
const lines = [
  `overview queries, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
  `store: ${size.servers} servers, ${size.days} days, ${size.rows} server_daily_v1 rows; asOf ${asOf}`,
  `network rollup: ${values.rollup === 'off' ? 'off (empty)' : `on, round ${rollupMs} ms`}`,
  '',
  `| ${'query'.padEnd(width)} | cold ms | warm ms |`,
  `|${'-'.repeat(width + 2)}|--------:|--------:|`,
  ...rows.map((r) => `| ${r.query.padEnd(width)} | ${String(r.cold).padStart(7)} | ${String(r.warm).padStart(7)} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
