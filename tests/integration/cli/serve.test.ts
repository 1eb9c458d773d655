/**
 * `chatlas serve` as a person runs it: one process serving the site, the API
 * and /metrics over the embedded store while its scheduler crawls the
 * simulated federation (127.8.0.0/16); SIGTERM stops it cleanly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimFederation, type SimFederation } from '../../../sim/sim-federation.ts';
import { ROOM_INDEX_SNAPSHOT } from '../../../db/room-index/snapshot.ts';

const CLI = new URL('../../../jobs/cli.ts', import.meta.url).pathname;
const HOST = '127.8.0.81';
let sim: SimFederation;
let child: ChildProcess;
let base = '';
let stderr = '';

/**
 * Resolves with the first match of `re` in serve's stderr, as soon as it is
 * written (no polling); rejects if the process exits first. The test's own
 * timeout bounds the wait.
 */
function stderrMatch(re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = re.exec(stderr);
      if (!m) return;
      child.stderr!.off('data', check);
      child.off('exit', exited);
      resolve(m);
    };
    const exited = () => reject(new Error(`serve exited before ${re}: ${stderr}`));
    child.stderr!.on('data', check);
    child.once('exit', exited);
    check();
  });
}
const root = mkdtempSync(join(tmpdir(), 'chatlas-serve-'));

before(async () => {
  sim = await startSimFederation({ prefix: '127.8' });
  const seeds = join(root, 'seeds.txt');
  writeFileSync(seeds, `${sim.matrixDomains.map((d) => `${d} matrix`).join('\n')}\n`);
  child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: sim.caPath, ...sim.crawlEnv,
      CHATLAS_DATA: join(root, 'data'), CHATLAS_SEEDS: seeds, CHATLAS_SHIPPED_SEEDS: 'off', CHATLAS_ALLOW_TLDS: 'test',
      HOST, PORT: '0', CHATLAS_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Registered first, so stderrMatch's listeners always see the text already appended.
  child.stderr!.on('data', (c) => { stderr += c; });
  base = (await stderrMatch(/serving on (http:\/\/\S+)/))[1]!;
});

after(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

async function get(path: string): Promise<Response> {
  return fetch(new URL(path, base), { signal: AbortSignal.timeout(15_000) });
}

test('the scheduler crawls the seeds and the site shows them', { timeout: 120_000 }, async () => {
  // The first pass starts at once and its end is logged (JSON, stderr is a pipe). omega.test is
  // found through alpha.test's rooms and probed in the same pass, so once the pass has ended its
  // page answers. (The API caches answers for their max-age, so the stats are read only after that.)
  const ended = JSON.parse((await stderrMatch(/^\{.*"msg":"scheduler: pass ended".*\}$/m))[0]) as { probed: number };
  assert.ok(ended.probed >= 10, `the pass probed ${ended.probed}`);
  assert.equal((await get('/servers/omega.test')).status, 200, 'the discovered server got its page');
  // The export is read straight from the store (the overview and stats are cached for a minute,
  // and the server warmed them up before the first pass ended).
  const exported = (await (await get('/api/v1/export/servers.ndjson')).text()).trim().split('\n').map((l) => JSON.parse(l) as { domain: string; status: string });
  assert.ok(exported.length >= 10, `exported ${exported.length}`);
  assert.equal(exported.find((s) => s.domain === 'alpha.test')?.status, 'ok');
  const page = await get('/servers/alpha.test');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Synapse/);
  assert.equal((await get('/servers/unknown-server.test')).status, 404);
});

test('/metrics exposes the crawl counters', async () => {
  const text = await (await get('/metrics')).text();
  assert.match(text, /chatlas_probes_total\{[^}]*protocol="matrix"[^}]*\} \d+/);
});

test('at the default level (info), answering requests writes no log line', async () => {
  const before = stderr.length;
  for (const path of ['/', '/api/v1/stats', '/api/v1/rooms?q=rust', '/servers/alpha.test', '/servers/unknown-server.test']) {
    await (await get(path)).arrayBuffer();
  }
  // Other work (a rollup round) may log meanwhile; nothing may be about the requests.
  const lines = stderr.slice(before).split('\n').filter(Boolean);
  for (const line of lines) {
    assert.match(line, /^\{.*\}$/, `not a JSON log line: ${line}`);
    assert.doesNotMatch(line, /"msg":"request"|\/api\/v1\/|\/servers\//, line);
  }
});

test('methods Astro cannot represent get 405, not 500', async () => {
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(new URL('/', base), { method: 'TRACE' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 405);
});

test('SIGTERM stops the process cleanly (exit 0) and releases the store', { timeout: 60_000 }, async () => {
  // The room index was built from the store at start (issue 14) before it stops.
  await stderrMatch(/"msg":"room index ready"[^\n]*"from":"store"|"from":"store"[^\n]*"msg":"room index ready"/);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit', { signal: AbortSignal.timeout(45_000) });
  assert.equal(code, 0, stderr);
  // ... and left its snapshot in the store's folder for the next start.
  assert.ok(existsSync(join(root, 'data', ROOM_INDEX_SNAPSHOT)), 'room index snapshot written at stop');
});
