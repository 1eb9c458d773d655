/**
 * One cold request for bench/guide.ts, in a process of its own: open the
 * store, start the server of `chatlas serve` over the given build, and time
 * the first request to `path` (nothing cached: the process's memos, the API's
 * response cache and ClickHouse's caches are empty; the OS page cache is as
 * the machine left it), then the same request again.
 *
 *   node bench/guide-cold.ts <data dir> <dist dir> <host> <path>
 *
 * Prints one JSON line: status, bytes, open (store open and server start),
 * first request (time to first byte, full) and the second request (full), ms.
 */
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { startServer } from '../jobs/serve/server.ts';
import { configureApi, defaultLimiters } from '../site/lib/api/deps.ts';
import { RateLimiter } from '../site/lib/api/rate-limiter.ts';

const [dataDir, distDir, host, path] = process.argv.slice(2);
const round = (x: number) => Math.round(x * 10) / 10;
const load = loadavg()[0]!;
const opened = performance.now();
const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir! } }));
// The limiter is part of the request path, but one client must not be throttled by it here.
const wide = () => new RateLimiter({ capacity: 1e9, refillPerSecond: 1e9, maxKeys: 10 });
const running = await startServer({
  db, host: host!, port: 0, distDir: distDir!, logger: pino({ level: 'warn' }),
  configure: (store) => configureApi({ db: store, ...defaultLimiters(), readLimiter: wide(), writeLimiter: wide(), cursorKey: new Uint8Array(32), registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } }, now: () => new Date() }),
});
const openMs = performance.now() - opened;
const t = performance.now();
const res = await fetch(running.url + path!, { signal: AbortSignal.timeout(600_000) });
const ttfb = performance.now() - t;
const bytes = (await res.arrayBuffer()).byteLength;
const full = performance.now() - t;
const t2 = performance.now();
await (await fetch(running.url + path!)).arrayBuffer();
const second = performance.now() - t2;
await running.close();
await db.close();
console.log(JSON.stringify({ path, status: res.status, kB: round(bytes / 1024), openMs: round(openMs), firstTtfbMs: round(ttfb), firstFullMs: round(full), secondFullMs: round(second), loadAverage1m: round(load) }));
