/**
 * Room search benchmark (issue 14): the room index (db/room-index) against
 * ClickHouse's own text index in the embedded engine, over a synthetic
 * directory with a realistic word distribution (tests/harness/synthetic-rooms.ts),
 * for five query classes (common word, rare word, prefix, no match, two words):
 * p50/p99 latency and requests per second at 1 and 10 concurrent clients,
 * every request a different query; plus fill, build time, memory and disk.
 *
 *   node --expose-gc bench/search.ts [--rooms 1000000] [--engines index,text-index,minisearch] [--duration 8]
 *     [--connections 1,10] [--data DIR] [--keep]
 *
 * Each engine is served by a node:http server on 127.71.4.1 (`/search?q=`,
 * JSON of the page: the same work as the API minus Astro), loaded by
 * autocannon in its own process (bench/load.ts). "index": built from
 * rooms_current as `chatlas serve` builds it on a first start, its snapshot
 * written, then opened again from the snapshot as a restart does (both
 * timed), answering in process. "text-index": a copy of
 * rooms_current with a `text` index (splitByNonAlpha over lower-cased,
 * diacritic-free name + topic + address), queried through the store's one
 * client with a relevance ORDER BY, as a store-side design would.
 * "minisearch" (optional, `npm install --no-save minisearch@7` first): the
 * search library, built from the same rows, for comparison.
 * Every run records the 1-minute load average at its start. Prints JSON and
 * writes bench/results/search-<date>-<rooms>.json.
 */
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { roomSnapshotRow } from '../db/rows.ts';
import { openRoomIndex } from '../db/room-index/open-room-index.ts';
import { listRoomsCurrent } from '../db/queries/rooms/list-rooms-current.ts';
import { foldText, wordsOfFolded } from '../db/room-index/fold-text.ts';
import { queryRows } from '../db/query-rows.ts';
import { syntheticRooms, vocabulary } from '../tests/harness/synthetic-rooms.ts';
import { rng } from '../tests/harness/synthetic.ts';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '1000000' },
    engines: { type: 'string', default: 'index,text-index' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '1,10' },
    data: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const ROOMS = Number(values.rooms);
const HOST = '127.71.4.1';
const root = values.data ?? mkdtempSync(join(tmpdir(), 'chatlas-bench-search-'));
const dataDir = join(root, 'data');
const fresh = !existsSync(dataDir);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
await migrate(db);

// 1. Fill rooms_current the way insertProbeResults writes it (roomSnapshotRow: truncation, language detection).
let fillSeconds: number | null = null;
if (fresh) {
  const t = performance.now();
  let filled = 0;
  let batchNo = 0;
  for (const batch of syntheticRooms({ rooms: ROOMS })) {
    // Batches written a minute apart, as a pass writes them: a restart re-reads only the last one (skew window).
    const insertedAt = Date.now() - 86_400_000 + 60_000 * batchNo++;
    const values = batch.map((r) => {
      const { children: _children, ...row } = roomSnapshotRow(r);
      return { ...row, version: row.observed_at, is_deleted: 0, inserted_at: insertedAt, daily_days: [], daily_members: [] };
    });
    await db.client.insert({ table: 'rooms_current', values, format: 'JSONEachRow' });
    filled += values.length;
    process.stderr.write(`\rfilled ${filled} rooms, ${((performance.now() - t) / 1000).toFixed(0)} s   `);
  }
  await db.client.command({ query: 'OPTIMIZE TABLE rooms_current FINAL' });
  fillSeconds = round((performance.now() - t) / 1000);
  process.stderr.write(`\nfill ${fillSeconds} s\n`);
}
// A store filled before batches were stamped apart: spread its writes the same way (once).
if ((await queryRows<{ n: number }>(db, 'SELECT uniqExact(inserted_at) AS n FROM rooms_current'))[0]!.n === 1) {
  await db.client.command({
    query: `ALTER TABLE rooms_current UPDATE inserted_at = inserted_at - toIntervalMinute(cityHash64(room_id) % ${Math.ceil(ROOMS / 10_000)}) WHERE 1`,
    clickhouse_settings: { mutations_sync: '2' },
  });
}
const disk = async (table: string) => (await queryRows<{ bytes: number; index_bytes: number; rows: number }>(db,
  `SELECT sum(bytes_on_disk) AS bytes, sum(secondary_indices_compressed_bytes) AS index_bytes, sum(rows) AS rows
   FROM system.parts WHERE active AND database = currentDatabase() AND table = {t:String}`, { t: table }))[0]!;
const languages = await queryRows<{ language: string; n: number }>(db,
  "SELECT language, count() AS n FROM rooms_current FINAL GROUP BY language ORDER BY n DESC LIMIT 12");

// 2. Queries: five classes, each a pool of distinct queries drawn from the generator's vocabulary.
const vocab = vocabulary(60_000);
const r = rng(99);
const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
const pool = (n: number, make: (i: number) => string) => [...new Set(Array.from({ length: n }, (_, i) => make(i)))];
const QUERIES: Record<string, string[]> = {
  // Each in 2-11 % of rooms at a million.
  common: pool(400, (i) => `${vocab[i % 40]} ${'?page='}${1 + Math.floor(i / 40)}`),
  // Ranks 10,000-40,000: 20-90 rooms each at a million.
  rare: pool(3000, () => vocab[10_000 + Math.floor(r() * 30_000)]!),
  // The first 3-5 letters of a word of rank 100-3,000, as typed.
  prefix: pool(3000, () => { const w = vocab[100 + Math.floor(r() * 2900)]!; return w.slice(0, Math.min(w.length, 3 + Math.floor(r() * 3))); }),
  none: pool(3000, (i) => `zq${i.toString(36)}x${Math.floor(r() * 1e6).toString(36)}`),
  // A common word and a mid-frequency one (rank 40-2,000): tens to hundreds of rooms.
  multi: pool(3000, () => `${pick(vocab.slice(0, 40))} ${vocab[40 + Math.floor(r() * 1960)]}`),
};
/** `word ?page=n` → the path of that page (common words get distinct pages so no two requests are equal). */
const pathOf = (q: string) => {
  const [words, page] = q.split(' ?page=');
  return `/search?q=${encodeURIComponent(words!)}${page ? `&page=${page}` : ''}`;
};

// 3. The engines, each a function from a search to a page of rows.
type Search = (q: string, page: number) => Promise<{ total: number; names: string[] }>;
const engines: Record<string, { setup: () => Promise<Record<string, unknown>>; search: Search }> = {};

engines.index = (() => {
  let handle: ReturnType<typeof openRoomIndex>;
  return {
    setup: async () => {
      gc();
      const before = process.memoryUsage();
      const snapshotPath = join(root, 'room-index.snapshot');
      rmSync(snapshotPath, { force: true });
      const built = openRoomIndex(db, { pollMs: 0, snapshotPath });
      await built.ready;
      gc();
      const after = process.memoryUsage();
      // The snapshot the build wrote, then a restart: the index loaded from it (and caught up from the store).
      await built.stop();
      const saveStarted = performance.now();
      await built.save();
      const saveSeconds = round((performance.now() - saveStarted) / 1000);
      const snapshotMB = round(statSync(snapshotPath).size / 1e6);
      handle = openRoomIndex(db, { pollMs: 0, snapshotPath });
      await handle.ready;
      if (handle.source !== 'snapshot') throw new Error('the restart did not load the snapshot');
      return {
        buildSeconds: round((built.buildMs ?? 0) / 1000), rooms: handle.index.size,
        heapMB: round((after.heapUsed - before.heapUsed) / 1e6), arrayBuffersMB: round((after.arrayBuffers - before.arrayBuffers) / 1e6),
        rssMB: round(after.rss / 1e6), snapshotMB, saveSeconds, restartFromSnapshotSeconds: round((handle.buildMs ?? 0) / 1000),
      };
    },
    search: async (q, page) => {
      const p = handle.index.search({ q, page, limit: 25 });
      return { total: p.total, names: p.rows.map((x) => x.name) };
    },
  };
})();

// A search library for comparison (not a dependency: `npm install --no-save minisearch@7` first).
// Same fields and folding; its own BM25 scoring, with name and alias boosted and members as a document boost.
engines.minisearch = (() => {
  type Doc = { id: number; address: string; name: string; topic: string; members: number };
  let ms: { addAll(d: Doc[]): void; search(q: string, o: object): { id: number }[] };
  const docs: Doc[] = [];
  return {
    setup: async () => {
      const { default: MiniSearch } = await import('minisearch' as string) as { default: new (o: object) => typeof ms };
      gc();
      const before = process.memoryUsage().heapUsed;
      const t = performance.now();
      ms = new MiniSearch({
        fields: ['address', 'name', 'topic'], idField: 'id', storeFields: [],
        processTerm: (w: string) => foldText(w) || null, tokenize: (text: string) => text.split(/[^\p{L}\p{N}]+/u),
        searchOptions: { boost: { name: 3, address: 2.5 }, combineWith: 'AND' },
      });
      let after: { protocol: 'matrix' | 'xmpp'; room_id: string } | null = null;
      for (;;) {
        const page = await listRoomsCurrent(db, after, 50_000);
        const batch = page.map((row, i) => ({ id: docs.length + i, address: row.address, name: row.name, topic: row.topic, members: row.members }));
        for (const d of batch) docs.push(d);
        ms.addAll(batch);
        if (page.length < 50_000) break;
        after = page[page.length - 1]!;
      }
      gc();
      return { buildSeconds: round((performance.now() - t) / 1000), rooms: docs.length, heapMB: round((process.memoryUsage().heapUsed - before) / 1e6) };
    },
    search: async (q, page) => {
      const hits = ms.search(q, {
        prefix: (_t: string, i: number, all: string[]) => i === all.length - 1 && !/\s$/.test(q),
        boostDocument: (id: number) => 1 + 0.2 * Math.log10(1 + docs[id]!.members),
      });
      return { total: hits.length, names: hits.slice((page - 1) * 25, page * 25).map((h) => docs[h.id]!.name) };
    },
  };
})();

// The store-side alternative: the same rooms with a text index; every word must be a token of the
// row, the last one also a prefix (LIKE on the index's dictionary); ranked in SQL like rank.ts.
const TI_TABLE = 'rooms_search_text_bench';
engines['text-index'] = {
  setup: async () => {
    const t = performance.now();
    await db.client.command({ query: `DROP TABLE IF EXISTS ${TI_TABLE}` });
    await db.client.command({
      query: `CREATE TABLE ${TI_TABLE} (
        protocol LowCardinality(String), room_id String, server String, address String, name String, topic String, members UInt32,
        name_folded String, search_text String,
        INDEX text_idx search_text TYPE text(tokenizer = splitByNonAlpha) GRANULARITY 64)
        ENGINE = MergeTree ORDER BY (protocol, room_id)`,
    });
    await db.client.command({
      query: `INSERT INTO ${TI_TABLE} SELECT protocol, room_id, server, address, name, topic, members,
        lowerUTF8(removeDiacriticsUTF8(name)), lowerUTF8(removeDiacriticsUTF8(concat(name, ' ', topic, ' ', address)))
        FROM rooms_current FINAL`,
    });
    await db.client.command({ query: `OPTIMIZE TABLE ${TI_TABLE} FINAL` });
    const d = await disk(TI_TABLE);
    return { buildSeconds: round((performance.now() - t) / 1000), bytesOnDisk: d.bytes, textIndexBytes: d.index_bytes, bytesPerRoom: round(d.bytes / d.rows) };
  },
  search: async (q, page) => {
    const words = [...new Set(wordsOfFolded(foldText(q)))].slice(0, 8);
    if (words.length === 0) return { total: 0, names: [] };
    const whole = words.slice(0, -1);
    const last = words[words.length - 1]!;
    const rs = await db.client.query({
      query: `SELECT name, members,
          (hasAllTokens(name_folded, {words:Array(String)}) * 5 + hasAnyTokens(name_folded, {words:Array(String)}) * 2
           + 0.6 * log10(1 + members)) AS score
        FROM ${TI_TABLE}
        WHERE ${whole.length ? 'hasAllTokens(search_text, {whole:Array(String)}) AND ' : ''}
          (hasToken(search_text, {last:String}) OR search_text LIKE {like:String})
        ORDER BY score DESC, members DESC, room_id LIMIT 25 OFFSET {offset:UInt32}`,
      query_params: { words, whole, last, like: `%${last.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, offset: (page - 1) * 25 },
      format: 'JSON',
      clickhouse_settings: { exact_rows_before_limit: 1 },
    });
    const body = await rs.json<{ name: string }>();
    return { total: Number(body.rows_before_limit_at_least ?? 0), names: body.data.map((x) => x.name) };
  },
};

/** In-process latency of one class: `clients` loops over the pool for `n` queries in all. */
async function direct(search: Search, qs: string[], clients: number, n: number) {
  const lat: number[] = [];
  let next = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < n) {
      const q = qs[next++ % qs.length]!;
      const [words, page] = q.split(' ?page=');
      const s = performance.now();
      await search(words!, Number(page ?? 1));
      lat.push(performance.now() - s);
    }
  }));
  const wall = performance.now() - t;
  lat.sort((a, b) => a - b);
  return { n: lat.length, p50: round(lat[Math.floor(lat.length * 0.5)]!, 2), p99: round(lat[Math.floor(lat.length * 0.99)]!, 2), perSecond: round(lat.length / (wall / 1000)) };
}

/** Over HTTP with autocannon in its own process, every request a different query of the class. */
async function overHttp(origin: string, qs: string[], connections: number) {
  const load = spawn(process.execPath, [join(import.meta.dirname, 'load.ts'), origin, JSON.stringify(qs.map(pathOf)), String(connections), values.duration!], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  load.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise((resolve) => load.on('exit', resolve));
  const a = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number; urlsSent: number; distinctUrls: number };
  return { perSecond: a.requests.average, p50: a.latency.p50, p99: a.latency.p99, errors: a.errors + a.non2xx, urlsSent: a.urlsSent, distinctUrls: a.distinctUrls };
}

const results: Record<string, unknown> = {};
for (const name of values.engines!.split(',')) {
  const engine = engines[name];
  if (!engine) throw new Error(`unknown engine ${JSON.stringify(name)}`);
  process.stderr.write(`${name}: setup …\n`);
  const setup = await engine.setup();
  process.stderr.write(`${name}: ${JSON.stringify(setup)}\n`);
  // The first query after the build: cold caches of a restarted process.
  const coldStart = performance.now();
  await engine.search('linux', 1);
  const coldMs = round(performance.now() - coldStart, 2);
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    engine.search(u.searchParams.get('q') ?? '', Number(u.searchParams.get('page') ?? 1)).then((page) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    }, (error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const origin = `http://${HOST}:${(server.address() as { port: number }).port}`;
  const classes: Record<string, unknown> = {};
  for (const [cls, qs] of Object.entries(QUERIES)) {
    const runs: Record<string, unknown> = { direct1: await direct(engine.search, qs, 1, Math.min(qs.length, name === 'text-index' ? 40 : 400)) };
    for (const c of values.connections!.split(',').map(Number)) {
      const load1 = round(loadavg()[0]!, 2);
      runs[`http${c}`] = { ...(await overHttp(origin, qs, c)), loadAverage: load1 };
      process.stderr.write(`${name} ${cls} c${c}: ${JSON.stringify(runs[`http${c}`])}\n`);
    }
    classes[cls] = runs;
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  results[name] = { setup, coldFirstQueryMs: coldMs, classes };
}

const summary = {
  date: new Date().toISOString(), machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGB: round(totalmem() / 2 ** 30), loadAverage: loadavg().map((x) => round(x, 2)) },
  rooms: ROOMS, fillSeconds, roomsCurrent: await disk('rooms_current'), languages, queryPools: Object.fromEntries(Object.entries(QUERIES).map(([k, v]) => [k, v.length])),
  results,
};
console.log(JSON.stringify(summary, null, 2));
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', `search-${summary.date.slice(0, 10)}-${ROOMS}.json`), `${JSON.stringify(summary, null, 2)}\n`);
await db.close();
if (!values.keep && !values.data) rmSync(root, { recursive: true, force: true });
