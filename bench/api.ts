/**
 * API benchmark (issue 7): sustained requests per second and p50/p99 latency
 * of GET /api/v1/stats and of room search (GET /api/v1/rooms) over a store
 * holding about 1,000,000 rooms, through the real Astro build served by the
 * server of `chatlas serve` (jobs/serve/server.ts) on 127.70.7.1, with
 * autocannon in a separate process (so the load generator does not share the
 * server's event loop). Room searches are all distinct URLs
 * (bench/api-searches.ts), so they measure the search, not the response cache.
 *
 *   node bench/api.ts [--servers 40000] [--rooms-per-server 25] [--duration 10] [--connections 1,10] [--data DIR] [--targets stats,roomsSearch,…]
 *
 * The server runs in this process: `--cpu-profile DIR` writes a V8 CPU profile
 * of it per measured run, covering exactly that run (DIR/<target>@c<n>.cpuprofile,
 * open in Chrome DevTools). Each run records the machine's 1-minute load average
 * at its start (other work on a shared machine skews the numbers).
 *
 * Prints a JSON summary and writes it to bench/results/api-<date>.json.
 * Everything stays on loopback; the data are synthetic (tests/harness/synthetic.ts).
 */
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { insertProbeResults } from '../db/queries/observations/insert-probe-results.ts';
import { syntheticNetwork } from '../tests/harness/synthetic.ts';
import { setStore } from '../site/lib/store.ts';
import { configureApi } from '../site/lib/api/deps.ts';
import { RateLimiter } from '../site/lib/api/rate-limiter.ts';
import { ResponseCache } from '../site/lib/api/response-cache.ts';
import { run, startBuiltServer } from '../tests/e2e/api/built-server.ts';
import { SEARCH_SEQUENCES, type SearchSequence } from './api-searches.ts';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '40000' },
    'rooms-per-server': { type: 'string', default: '25' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,10' },
    data: { type: 'string' },
    targets: { type: 'string' },
    'cpu-profile': { type: 'string' },
  },
});
const servers = Number(values.servers);
const roomsPerServer = Number(values['rooms-per-server']);
const dir = values.data ?? mkdtempSync(join(tmpdir(), 'chatlas-bench-api-'));
const reuse = values.data !== undefined && existsSync(join(dir, 'data'));

const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: join(dir, 'data') } }));
await migrate(db);
const end = new Date();
if (!reuse) {
  const t = performance.now();
  let rooms = 0;
  // Two days, so searches sorted by growth have a window to compare with.
  for (const day of syntheticNetwork({ servers, days: 2, stepsPerProbe: 1, end, roomsPerServer, seed: 11 })) {
    for (let i = 0; i < day.length; i += 2000) {
      const slice = day.slice(i, i + 2000);
      await insertProbeResults(db, slice);
      rooms += slice.reduce((s, r) => s + r.rooms.length, 0);
      process.stderr.write(`\r${rooms.toLocaleString()} room rows inserted    `);
    }
  }
  process.stderr.write(`\nfilled in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
const rs = await db.client.query({ query: 'SELECT count() AS rooms FROM rooms_latest FINAL', format: 'JSONEachRow' });
const roomCount = Number((await rs.json<{ rooms: string }>())[0]!.rooms);

setStore(db);
configureApi({
  db,
  // The limiter is part of the request path, but one client must not be throttled by it here.
  readLimiter: new RateLimiter({ capacity: 1e9, refillPerSecond: 1e9 }),
  writeLimiter: new RateLimiter({ capacity: 1, refillPerSecond: 1 }),
  responseCache: new ResponseCache(),
  cursorKey: randomBytes(32),
  registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } },
  now: () => end,
});
const site = await startBuiltServer('127.70.7.1');
// `chatlas serve` builds the room index at start; here the first search with words builds it.
// Build it before measuring, so no measured search waits for it (and say how long it took).
const indexStart = performance.now();
const warm = await fetch(`${site.origin}/api/v1/rooms?q=warm-up`, { signal: AbortSignal.timeout(600_000) });
if (warm.status !== 200) throw new Error(`room index warm-up: ${warm.status} ${(await warm.text()).slice(0, 300)}`);
await warm.arrayBuffer();
const roomIndexBuildMs = Math.round(performance.now() - indexStart);
process.stderr.write(`room index built in ${roomIndexBuildMs} ms\n`);

/** A fixed list of URLs (cycled), or a never-repeating sequence of searches (bench/api-searches.ts). */
type Target = { paths: string[] } | { sequence: SearchSequence };
const targets: Record<string, Target> = {
  // Everyone asks the same statistics: one URL (after the first request, answered from the response cache).
  stats: { paths: ['/api/v1/stats'] },
  // Every search a different URL, so none is answered from the response cache: this measures the search.
  roomsSearch: { sequence: 'distinctSearch' },
  roomsSearchFiltered: { sequence: 'distinctFilteredSearch' },
  // The directory's front page: one URL.
  roomsTop: { paths: ['/api/v1/rooms'] },
};

// The profiler of this process (the server's), started and stopped around each measured run only.
let profiler: Session | undefined;
if (values['cpu-profile'] !== undefined) {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
}
const chosen = values.targets?.split(',') ?? Object.keys(targets);
for (const t of chosen) if (!Object.hasOwn(targets, t)) throw new Error(`--targets: unknown ${JSON.stringify(t)}; known: ${Object.keys(targets).join(', ')}`);
const results: Record<string, unknown> = {};
// The first request of each kind, timed on its own and left out of the measured runs: it pays what
// the first use builds (a store query before the cache holds the answer, a filter's first pass over
// the index). Sequences are warmed with a URL far past what a run reaches, so no measured URL repeats it.
const firstRequestMs: Record<string, number> = {};
for (const [name, target] of Object.entries(targets).filter(([n]) => chosen.includes(n))) {
  const url = 'paths' in target ? target.paths[0]! : SEARCH_SEQUENCES[target.sequence](1_000_000);
  const t = performance.now();
  const res = await fetch(`${site.origin}${url}`, { signal: AbortSignal.timeout(600_000) });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${name}: first request ${url} answered ${res.status}`);
  firstRequestMs[name] = Math.round(performance.now() - t);
  process.stderr.write(`${name}: first request ${firstRequestMs[name]} ms (load ${loadavg()[0]!.toFixed(2)})\n`);
}
// What this process spends with no request at all (the engine's merges, the room index following
// the table, GC of its heap): the per-request CPU figures below include this background share.
const idleBefore = process.cpuUsage();
await new Promise((r) => setTimeout(r, 5000));
const idleUsage = process.cpuUsage(idleBefore);
const idleCpuShare = Math.round(((idleUsage.user + idleUsage.system) / 5e6) * 100) / 100;
process.stderr.write(`idle: this process used ${Math.round(idleCpuShare * 100)}% of a core with no request (load ${loadavg()[0]!.toFixed(2)})\n`);
const connectionCounts = values.connections!.split(',').map(Number);
for (const [name, target] of Object.entries(targets).filter(([n]) => chosen.includes(n))) for (const connections of connectionCounts) {
  const path = 'paths' in target ? target.paths[0]! : `${SEARCH_SEQUENCES[target.sequence](0)} … (${target.sequence}: every request a new URL)`;
  const source = 'paths' in target ? JSON.stringify(target.paths) : target.sequence;
  // The measured run; the load generator runs in its own process.
  const loadAvg = loadavg()[0];
  if (profiler) await profiler.post('Profiler.start');
  // CPU time of this process (the server, its engine threads included) over the run: per request,
  // it says what an answer costs whatever else the machine is doing, where req/s depends on the load.
  const cpuBefore = process.cpuUsage();
  const out = await run(process.execPath, [join('bench', 'load.ts'), site.origin, source, String(connections), values.duration!], 300_000);
  const cpu = process.cpuUsage(cpuBefore);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(values['cpu-profile']!, { recursive: true });
    writeFileSync(join(values['cpu-profile']!, `${name}@c${connections}.cpuprofile`), JSON.stringify(profile));
  }
  const json = JSON.parse(out.output.slice(out.output.indexOf('{')));
  // A sequence must not have repeated a URL: a repeat could be a cache hit.
  if ('sequence' in target && json.distinctUrls !== json.urlsSent) throw new Error(`${name}: ${json.urlsSent} URLs sent but only ${json.distinctUrls} distinct`);
  // autocannon stops at the deadline without waiting for requests in flight: let them finish.
  await new Promise((r) => setTimeout(r, 3000));
  results[`${name}@c${connections}`] = {
    path,
    connections,
    // Other work on the machine: the 1-minute load average when the run started.
    loadAverage1m: Math.round(loadAvg! * 100) / 100,
    distinctUrls: json.distinctUrls,
    // autocannon counts the answers it received; in-flight ones at its deadline finish after `cpu` was read.
    serverCpuUsPerRequest: Math.round((cpu.user + cpu.system) / Math.max(1, json.requests.total)),
    serverCpuShare: Math.round(((cpu.user + cpu.system) / 1e6 / Number(values.duration)) * 100) / 100,
    requestsPerSecond: json.requests.average,
    latencyMs: { p50: json.latency.p50, p99: json.latency.p99, max: json.latency.max },
    non2xx: json.non2xx,
    errors: json.errors,
    timeouts: json.timeouts,
  };
  process.stderr.write(`${name} c=${connections}: ${json.requests.average} req/s, p50 ${json.latency.p50} ms, p99 ${json.latency.p99} ms (load ${loadAvg!.toFixed(2)}, ${json.distinctUrls} distinct URLs, server CPU ${Math.round((cpu.user + cpu.system) / Math.max(1, json.requests.total))} µs/request, ${Math.round(cpu.system / Math.max(1, json.requests.total))} of it system)\n`);
}

const summary = {
  date: end.toISOString().slice(0, 10),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  store: { servers, rooms: roomCount, roomIndexBuildMs },
  firstRequestMs,
  idleCpuShare,
  load: { connections: connectionCounts, durationS: Number(values.duration) },
  results,
};
console.log(JSON.stringify(summary, null, 2));
writeFileSync(join('bench', 'results', `api-${summary.date}.json`), `${JSON.stringify(summary, null, 2)}\n`);

await site.close();
// Requests the load generator abandoned at its deadline may still be queued on the engine: let them drain.
await new Promise((r) => setTimeout(r, 20_000));
setStore(undefined);
await db.close();
if (values.data === undefined) rmSync(dir, { recursive: true, force: true });
