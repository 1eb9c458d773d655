/**
 * `chatlas serve` as a person runs it: one process serving the site, the API
 * and /metrics over the embedded store while its scheduler crawls the
 * simulated federation (127.8.0.0/16); SIGTERM stops it cleanly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimFederation, type SimFederation } from '../../../sim/sim-federation.ts';

const CLI = new URL('../../../jobs/cli.ts', import.meta.url).pathname;
const HOST = '127.8.0.81';
let sim: SimFederation;
let child: ChildProcess;
let base = '';
let stderr = '';
const root = mkdtempSync(join(tmpdir(), 'chatlas-serve-'));

before(async () => {
  sim = await startSimFederation({ prefix: '127.8' });
  const seeds = join(root, 'seeds.txt');
  writeFileSync(seeds, `${sim.matrixDomains.map((d) => `${d} matrix`).join('\n')}\n`);
  child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: sim.caPath, ...sim.crawlEnv,
      CHATLAS_DATA: join(root, 'data'), CHATLAS_SEEDS: seeds, CHATLAS_SHIPPED_SEEDS: 'off', CHATLAS_ALLOW_TLDS: 'test',
      HOST, PORT: '0', CHATLAS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (c) => { stderr += c; });
  const deadline = Date.now() + 120_000;
  while (!/serving on (http:\/\/\S+)/.test(stderr)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  base = /serving on (http:\/\/\S+)/.exec(stderr)![1]!;
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
  // The first pass starts at once. omega.test is found through alpha.test's rooms and probed last,
  // so its page answering means the pass reached the store. (The API caches answers for their
  // max-age, so the stats are read only after that.)
  let status = 0;
  for (let i = 0; i < 200 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 300));
    status = (await get('/servers/omega.test')).status;
  }
  assert.equal(status, 200, 'the discovered server got its page');
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
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit', { signal: AbortSignal.timeout(45_000) });
  assert.equal(code, 0, stderr);
});
