/**
 * `chatlas probe` end to end on the simulated federation (127.9.0.0/16):
 * the report a person reads, the JSON for machines, --store, and exit codes.
 * TLS trust comes through NODE_EXTRA_CA_CERTS, as in production.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimFederation, type SimFederation } from '../../../sim/sim-federation.ts';
import { createDb } from '../../../db/client.ts';
import { loadDbConfig } from '../../../db/config.ts';

const CLI = new URL('../../../jobs/cli.ts', import.meta.url).pathname;
let sim: SimFederation;
const root = mkdtempSync(join(tmpdir(), 'chatlas-probe-'));

before(async () => { sim = await startSimFederation({ prefix: '127.9' }); });
after(async () => {
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

function run(args: string[], extraEnv: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: sim.caPath, CHATLAS_DATA: join(root, 'data'), ...sim.crawlEnv, ...extraEnv },
    });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

test('a readable report: verdict, software, registration, rooms, steps', async () => {
  const r = await run(['probe', 'alpha.test', '--protocol', 'matrix']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'alpha.test (matrix): ok');
  assert.match(r.stdout, /software {6}synapse 1\.163\.2/);
  assert.match(r.stdout, /registration {2}open/);
  assert.match(r.stdout, /1280 {2}#rust:alpha\.test {2}Rust/);
  assert.match(r.stdout, /matrix\.federation-version +ok/);
  assert.match(r.stdout, /Found 1 other domain: omega\.test/);
});

test('--json gives the ProbeResult; --store writes it into the store', async () => {
  const r = await run(['probe', 'gamma.test', '--protocol', 'matrix', '--json', '--store']);
  assert.equal(r.status, 0, r.stderr);
  const [result] = JSON.parse(r.stdout);
  assert.equal(result.snapshot.software, 'dendrite');
  assert.equal(result.snapshot.endpoint, 'fed.gamma.test:8448');
  const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: join(root, 'data') } }));
  try {
    const rs = await db.client.query({ query: "SELECT software, version FROM servers_latest FINAL WHERE domain = 'gamma.test'", format: 'JSONEachRow' });
    assert.deepEqual(await rs.json(), [{ software: 'dendrite', version: '0.15.2' }]);
  } finally {
    await db.close();
  }
});

test('an unreachable server: the report says why, exit code 4', async () => {
  const r = await run(['probe', 'down.test', '--protocol', 'matrix']);
  assert.equal(r.status, 4);
  assert.match(r.stdout.split('\n')[0]!, /^down\.test \(matrix\): unreachable — .*ECONNREFUSED/);
});

test('without the test CA the certificate is not trusted, and the report says so', async () => {
  const r = await run(['probe', 'delta.test', '--protocol', 'matrix'], { NODE_EXTRA_CA_CERTS: '' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /tls\.federation +tls\.cert-invalid/);
});

test('usage errors: no domain, a bad protocol', async () => {
  for (const args of [['probe'], ['probe', 'a.test', '--protocol', 'irc']]) {
    const r = await run(args);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
