/**
 * API benchmark (issue 7): sustained requests per second and p50/p99 latency
 * of GET /api/v1/stats and of room search (GET /api/v1/rooms) over a store
 * holding about 1,000,000 rooms, through the real Astro build served by
 * node:http on 127.70.7.1, with autocannon in a separate process (so the
 * load generator does not share the server's event loop).
 *
 *   node bench/api.ts [--servers 40000] [--rooms-per-server 25] [--duration 10] [--connections 1,10] [--data DIR]
 *
 * Prints a JSON summary and writes it to bench/results/api-<date>.json.
 * Everything stays on loopback; the data are synthetic (tests/harness/synthetic.ts).
 */
import { cpus, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '40000' },
    'rooms-per-server': { type: 'string', default: '25' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,10' },
    data: { type: 'string' },
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

// Words the synthetic generator puts in room names (tests/harness/synthetic.ts WORDS), for distinct searches.
const WORDS = ['general', 'linux', 'rust', 'python', 'music', 'gaming', 'offtopic', 'support', 'dev', 'art', 'news', 'privacy', 'selfhosted', 'books', 'climate', 'science'];
const targets: Record<string, string[]> = {
  // Everyone asks the same statistics: one URL (after the first request, answered from the response cache).
  stats: ['/api/v1/stats'],
  // Distinct searches (each URL once per cycle of 64; the cache holds 256, so this measures the engine):
  roomsSearch: WORDS.flatMap((w) => [1, 2, 3, 4].map((page) => `/api/v1/rooms?q=${w}&page=${page}`)),
  roomsSearchFiltered: WORDS.flatMap((w) => ['matrix', 'xmpp'].flatMap((p) => [`/api/v1/rooms?q=${w}&protocol=${p}&language=en&minMembers=10`, `/api/v1/rooms?q=${w}&protocol=${p}&sort=name`])),
  // The directory's front page: one URL.
  roomsTop: ['/api/v1/rooms'],
};

const results: Record<string, unknown> = {};
const connectionCounts = values.connections!.split(',').map(Number);
for (const [name, paths] of Object.entries(targets)) for (const connections of connectionCounts) {
  const path = paths.length === 1 ? paths[0]! : `${paths[0]} … (${paths.length} distinct URLs)`;
  // The measured run; the load generator runs in its own process.
  const out = await run(process.execPath, [join('bench', 'api-load.ts'), site.origin, JSON.stringify(paths), String(connections), values.duration!], 300_000);
  const json = JSON.parse(out.output.slice(out.output.indexOf('{')));
  // autocannon stops at the deadline without waiting for requests in flight: let them finish.
  await new Promise((r) => setTimeout(r, 3000));
  results[`${name}@c${connections}`] = {
    path,
    connections,
    requestsPerSecond: json.requests.average,
    latencyMs: { p50: json.latency.p50, p99: json.latency.p99, max: json.latency.max },
    non2xx: json.non2xx,
    errors: json.errors,
    timeouts: json.timeouts,
  };
  process.stderr.write(`${name} c=${connections}: ${json.requests.average} req/s, p50 ${json.latency.p50} ms, p99 ${json.latency.p99} ms\n`);
}

const summary = {
  date: end.toISOString().slice(0, 10),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  store: { servers, rooms: roomCount },
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
