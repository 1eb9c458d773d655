/**
 * What the implementation profiles (issue 15 item 4) cost a software page:
 * the one read of every software's daily versions over 90 days
 * (`listVersionSeries`) against one `getVersionSeries` per implementation,
 * the guide's entries they fold (`loadGuideEntries`), the fold itself
 * (`buildProfiles`, in process) and the whole first computation
 * (`loadSoftwareProfiles`, before its memo holds a value).
 *
 *   node bench/software-profiles.ts [--servers 100000] [--days 90] [--data DIR] [--rollup on|off]
 *
 * The store is bench/guide-facts.ts's (same synthetic fill, same default
 * folder): with --data pointing at a filled store the fill is skipped. Run it
 * when no other process has that folder open (chdb binds a folder to one
 * process). `--rollup on` (the default) runs the network rollup's round
 * first, as `chatlas serve` does at start; `off` empties network_buckets_v1
 * so every day is read live. "cold" is the first call in the process,
 * "warm" the median of the next four. Prints a table on stdout.
 */
import { cpus } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { insertProbeResults } from '../db/queries/observations/insert-probe-results.ts';
import { getVersionSeries } from '../db/queries/software/get-version-series.ts';
import { listVersionSeries } from '../db/queries/software/list-version-series.ts';
import { loadGuideEntries } from '../guide/guide.ts';
import { buildProfiles } from '../guide/profile.ts';
import { runNetworkRollup } from '../jobs/rollup/network-rollup.ts';
import { loadSoftwareProfiles } from '../site/lib/pages/load-software-profiles.ts';
import { rangeWindow } from '../site/lib/range-window.ts';
import { syntheticNetwork } from '../tests/harness/synthetic.ts';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '100000' },
    days: { type: 'string', default: '90' },
    data: { type: 'string', default: '/work/bench-data/guide-facts' },
    rollup: { type: 'string', default: 'on' },
  },
});
const dataDir = join(values.data, 'data');
mkdirSync(values.data, { recursive: true });
const fresh = !existsSync(dataDir);
const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
await migrate(db);
if (fresh) {
  // bench/guide-facts.ts's fill, so either benchmark can fill the store for the other.
  const t = performance.now();
  for (const day of syntheticNetwork({ servers: Number(values.servers), days: Number(values.days), roomsPerServer: 0.5, roomDays: 1, stepsPerProbe: 1, seed: 11 })) {
    for (let i = 0; i < day.length; i += 5000) await insertProbeResults(db, day.slice(i, i + 5000));
    process.stderr.write(`\rfilled ${day[0]!.snapshot.observedAt.toISOString().slice(0, 10)} (${((performance.now() - t) / 1000).toFixed(0)} s)   `);
  }
  process.stderr.write('\n');
  await db.client.command({ query: 'OPTIMIZE TABLE servers_latest FINAL' });
  await db.client.command({ query: 'OPTIMIZE TABLE servers_last_ok FINAL' });
}
const one = async (q: string) => ((await (await db.client.query({ query: q, format: 'JSONEachRow' })).json<Record<string, unknown>>())[0]!);
const last = String((await one('SELECT toString(max(day)) AS d FROM server_daily_v1')).d);
// Noon of the last synthetic day, as the site would see it right after the crawl.
const now = new Date(`${last}T12:00:00Z`);
let rollupMs: number | null = null;
if (values.rollup === 'off') await db.client.command({ query: 'TRUNCATE TABLE IF EXISTS network_buckets_v1' });
else {
  const t = performance.now();
  await runNetworkRollup(db, now);
  rollupMs = Math.round(performance.now() - t);
}

/** Cold (first) and warm (median of the next four) milliseconds of `run`, and its last value. */
async function time<T>(label: string, run: () => Promise<T> | T): Promise<{ label: string; cold: number; warm: number; value: T }> {
  const ms: number[] = [];
  let value!: T;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    value = await run();
    ms.push(performance.now() - t);
  }
  const warm = ms.slice(1).sort((a, b) => a - b);
  process.stderr.write(`${label}: ${ms.map((x) => Math.round(x)).join(', ')} ms\n`);
  return { label, cold: Math.round(ms[0]!), warm: Math.round((warm[1]! + warm[2]!) / 2), value };
}

// The whole first computation, before anything else warmed the store's caches.
const t0 = performance.now();
const profiles = await loadSoftwareProfiles(db, now);
const firstMs = Math.round(performance.now() - t0);

const w = rangeWindow('90d', now, 'day');
const all = await time('listVersionSeries (every software, 90 days)', () => listVersionSeries(db, { from: w.from, to: w.to }));
const keys = [...new Set(all.value.map((p) => `${p.protocol}\t${p.software}`))].map((k) => k.split('\t') as ['matrix' | 'xmpp', string]);
const each = await time(`getVersionSeries x ${keys.length} (one per implementation)`, async () => {
  for (const [protocol, software] of keys) await getVersionSeries(db, { software, protocol, from: w.from, to: w.to });
});
const entries = await time('loadGuideEntries (facts and grades)', () => loadGuideEntries(db, now));
const fold = await time('buildProfiles (in process)', () => buildProfiles(entries.value));
const size = await one('SELECT count() AS rows, uniqExact(domain) AS servers, uniqExact(day) AS days FROM server_daily_v1');
const heap = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
await db.close();

const groups = profiles.reduce((n, p) => n + p.implementations.length + p.others.length, 0);
process.stdout.write([
  `software profiles, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
  `store: ${size.servers} servers, ${size.days} days, ${size.rows} server_daily_v1 rows; rollup ${values.rollup}${rollupMs === null ? '' : ` (round ${rollupMs} ms)`}`,
  `loadSoftwareProfiles, first call: ${firstMs} ms (${entries.value.length} servers, ${groups} groups, ${all.value.length} version points)`,
  '| Step | cold ms | warm ms |',
  '|---|---|---|',
  ...[all, each, entries, fold].map((r) => `| ${r.label} | ${r.cold} | ${r.warm} |`),
  `heap after: ${heap} MB`,
].join('\n') + '\n');
