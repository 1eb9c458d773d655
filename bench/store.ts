/**
 * Store benchmark (issue 2): batched insert throughput of observations on the
 * embedded engine, bytes on disk per observation row, and the latency of the
 * statistics queries over the result.
 *
 *   node bench/store.ts [--rows 10000000] [--servers 20000] [--data DIR] [--keep]
 *
 * Prints a JSON summary (machine, date, numbers) for BENCHMARKS.md.
 * Data are synthetic (tests/harness/synthetic.ts): the point is the engine's
 * cost per row with realistic shapes, not the values.
 */
import { cpus, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, type Db } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { insertProbeResults } from '../db/queries/observations/insert-probe-results.ts';
import { syntheticNetwork } from '../tests/harness/synthetic.ts';
import type { ProbeResult } from '../crawler/types.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    servers: { type: 'string', default: '20000' },
    steps: { type: 'string', default: '10' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
    batch: { type: 'string', default: '5000' },
  },
});
const targetRows = Number(values.rows);
const servers = Number(values.servers);
const steps = Number(values.steps);
const days = Math.ceil(targetRows / (servers * steps));
const batchServers = Number(values.batch);
const dir = values.data ?? mkdtempSync(join(tmpdir(), 'chatlas-bench-store-'));

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200);

const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: join(dir, 'data') } }));
await migrate(db);

let rows = 0;
let insertMs = 0;
let batches = 0;
const end = new Date();
for (const day of syntheticNetwork({ servers, days, stepsPerProbe: steps, end, roomsPerServer: 4, seed: 7 })) {
  for (let i = 0; i < day.length; i += batchServers) {
    const slice: ProbeResult[] = day.slice(i, i + batchServers);
    const t = performance.now();
    await insertProbeResults(db, slice);
    insertMs += performance.now() - t;
    rows += slice.reduce((s, r) => s + r.observations.length, 0);
    batches++;
  }
  process.stderr.write(`\r${rows.toLocaleString()} observation rows, ${(rows / (insertMs / 1000)).toFixed(0)} rows/s    `);
}
process.stderr.write('\n');

async function one<T>(db: Db, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await db.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

// Let background merges settle so bytes-per-row reflects the steady state, not fresh small parts.
await db.client.command({ query: 'OPTIMIZE TABLE observations FINAL' });
const [disk] = await one<{ rows: string; bytes: string; uncompressed: string }>(db, `
  SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes, sum(data_uncompressed_bytes) AS uncompressed
  FROM system.parts WHERE database = currentDatabase() AND table = 'observations' AND active`);
const columns = await one<{ name: string; compressed: string; uncompressed: string }>(db, `
  SELECT name, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
  FROM system.columns WHERE database = currentDatabase() AND table = 'observations' GROUP BY name ORDER BY compressed DESC`);

const sampleDomain = (await one<{ domain: string }>(db, 'SELECT domain FROM servers_latest FINAL LIMIT 1'))[0]!.domain;
/** The statistics queries the site runs, in their shape (see db/queries/stats). */
const QUERIES: Record<string, [string, Record<string, unknown>]> = {
  'software share today (software_daily_v1)': [`SELECT protocol, software, uniqExactMerge(servers) AS n FROM software_daily_v1
    WHERE day = (SELECT max(day) FROM software_daily_v1) GROUP BY protocol, software ORDER BY n DESC`, {}],
  'servers per day by software, whole range (server_daily_v1)': [`SELECT day, software, count() AS n FROM (
      SELECT day, domain, argMaxMerge(software) AS software, argMaxMerge(status) AS status FROM server_daily_v1 GROUP BY day, domain)
    WHERE status = 'ok' GROUP BY day, software ORDER BY day`, {}],
  'network totals now (servers_latest FINAL)': [`SELECT protocol, count() AS servers, countIf(status = 'ok') AS up, countIf(registration = 'open') AS open,
      countIf(tls_valid) AS tls_ok, countIf(ipv6) AS v6, sum(public_rooms) AS rooms FROM servers_latest FINAL GROUP BY protocol`, {}],
  'version adoption of one implementation over time': [`SELECT day, version, uniqExactMerge(servers) AS n FROM software_daily_v1
    WHERE software = {s:String} GROUP BY day, version ORDER BY day`, { s: 'synapse' }],
  'step outcomes over the last 7 days (raw observations)': [`SELECT step, outcome, count() AS n, quantile(0.5)(duration_ms) AS p50 FROM observations
    WHERE observed_at >= now() - INTERVAL 7 DAY GROUP BY step, outcome ORDER BY n DESC`, {}],
  'one server history (raw observations)': [`SELECT step, outcome, observed_at, duration_ms FROM observations
    WHERE protocol = {p:String} AND domain = {d:String} ORDER BY observed_at DESC LIMIT 200`, { p: sampleDomain.startsWith('hs') ? 'matrix' : 'xmpp', d: sampleDomain }],
};
const latency: Record<string, { p50: number; max: number; rows: number }> = {};
for (const [name, [query, params]] of Object.entries(QUERIES)) {
  const times: number[] = [];
  let n = 0;
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    n = (await one(db, query, params)).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  latency[name] = { p50: round(times[3]!), max: round(times[6]!), rows: n };
}
clearInterval(sampler);
await db.close();
if (!values.keep && !values.data) rmSync(dir, { recursive: true, force: true });

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

const summary = {
  benchmark: 'store',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  config: { servers, days, stepsPerProbe: steps, batchServers, rowsPerBatch: batchServers * steps },
  observationRows: rows,
  batches,
  insert: { seconds: round(insertMs / 1000), rowsPerSecond: Math.round(rows / (insertMs / 1000)), note: 'each batch also writes snapshots, rooms, progress and feeds 9 materialized views' },
  disk: {
    observationRows: Number(disk!.rows),
    bytesOnDisk: Number(disk!.bytes),
    bytesPerRow: round(Number(disk!.bytes) / Number(disk!.rows)),
    uncompressedBytesPerRow: round(Number(disk!.uncompressed) / Number(disk!.rows)),
    byColumn: Object.fromEntries(columns.map((c) => [c.name, round(Number(c.compressed) / Number(disk!.rows))])),
  },
  queryLatencyMs: latency,
  peakRssMiB: Math.round(peakRss / 2 ** 20),
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
