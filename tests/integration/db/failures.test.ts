/**
 * What a person sees when the store cannot be used: one clear line on
 * stderr and exit code 3, and a data folder that is never left corrupted.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createDb } from '../../../db/client.ts';
import { loadDbConfig } from '../../../db/config.ts';
import { loadMigrations, migrate } from '../../../db/migrate.ts';
import { StoreError } from '../../../db/store-error.ts';

const CLI = new URL('../../../jobs/cli.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'chatlas-failures-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderrLines: r.stderr.split('\n').filter(Boolean) };
}

test('a second process on the same data folder gets one clear line and exit 3', async () => {
  const dir = join(root, 'busy');
  assert.equal(cli(['migrate'], { CHATLAS_DATA: dir }).status, 0);
  const holder = spawn(process.execPath, [new URL('./children/hold-store.ts', import.meta.url).pathname, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = await once(holder.stdout!, 'data');
    assert.match(String(chunk), /open/);
    const r = cli(['migrate'], { CHATLAS_DATA: dir });
    assert.equal(r.status, 3);
    assert.equal(r.stderrLines.length, 1, r.stderrLines.join('\n'));
    assert.match(r.stderrLines[0]!, new RegExp(`^chatlas: cannot open the embedded store at .*busy: process ${holder.pid} is using it`));
  } finally {
    holder.kill('SIGKILL');
    await once(holder, 'exit');
  }
  // The holder was killed with SIGKILL: its lock is stale and the store opens again.
  assert.equal(cli(['migrate'], { CHATLAS_DATA: dir }).status, 0);
});

test('a data folder that is not one is refused before anything is written into it', () => {
  const foreign = join(root, 'home');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'notes.txt'), 'mine');
  const r = cli(['migrate'], { CHATLAS_DATA: foreign });
  assert.equal(r.status, 3);
  assert.equal(r.stderrLines.length, 1);
  assert.match(r.stderrLines[0]!, /is a folder that is not a Chatlas store/);
  assert.deepEqual(readdirSync(foreign), ['notes.txt']);

  const file = join(root, 'file');
  writeFileSync(file, 'x');
  const f = cli(['migrate'], { CHATLAS_DATA: file });
  assert.equal(f.status, 3);
  assert.match(f.stderrLines[0]!, /is not a folder/);
});

test('a ClickHouse server that refuses the login gets one clear line and exit 3', async () => {
  // Fault double on 127.9.0.1: the status, header and body a real ClickHouse server sends for a bad
  // password over HTTP (ClickHouse/ClickHouse issue #72999 and Altinity/clickhouse-operator issue #1008, 24.10 and 22.3).
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Exception-Code': '516' });
    res.end('Code: 516. DB::Exception: default: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED) (version 24.10.3.21 (official build))\n');
  });
  server.listen(0, '127.9.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const r = await new Promise<ReturnType<typeof cli>>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'migrate'], { env: { PATH: process.env.PATH, CLICKHOUSE_URL: `http://127.9.0.1:${port}`, CLICKHOUSE_PASSWORD: 'wrong' } });
      let out = ''; let err = '';
      child.stdout.on('data', (c) => { out += c; });
      child.stderr.on('data', (c) => { err += c; });
      child.on('exit', (status) => resolve({ status, stdout: out, stderrLines: err.split('\n').filter(Boolean) }));
    });
    assert.equal(r.status, 3);
    assert.equal(r.stderrLines.length, 1, r.stderrLines.join('\n'));
    assert.match(r.stderrLines[0]!, /^chatlas: ClickHouse at http:\/\/127\.9\.0\.1:\d+\/ refused the login: check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD$/);
    assert.doesNotMatch(r.stderrLines[0]!, /wrong/);
  } finally {
    server.close();
  }
});

test('a migration that fails halfway: clear error, nothing recorded, earlier data intact, re-run completes', async () => {
  const dir = join(root, 'halfway');
  const migrations = join(root, 'migrations');
  mkdirSync(migrations);
  writeFileSync(join(migrations, '0001_base.sql'), "CREATE TABLE IF NOT EXISTS keep ${ON_CLUSTER} (x UInt32) ENGINE = ${REPLICATED}MergeTree ORDER BY x;\n");
  const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dir } }));
  try {
    await migrate(db, loadMigrations(migrations));
    await db.client.insert({ table: 'keep', values: [{ x: 1 }, { x: 2 }], format: 'JSONEachRow' });
    writeFileSync(join(migrations, '0002_more.sql'), [
      'CREATE TABLE IF NOT EXISTS first_half ${ON_CLUSTER} (x UInt32) ENGINE = ${REPLICATED}MergeTree ORDER BY x;',
      'CREATE TABLE IF NOT EXISTS second_half ${ON_CLUSTER} (x UInt32) ENGINE = ${REPLICATED}MergeTree ORDER BY nosuchcolumn;',
      '',
    ].join('\n'));
    await assert.rejects(migrate(db, loadMigrations(migrations)), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.equal(e.code, 'store.migration-failed');
      assert.match(e.message, /^migration 0002_more failed at statement 2 of 2: /);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    const recorded = await (await db.client.query({ query: 'SELECT groupArray(version) AS v FROM schema_migrations', format: 'JSONEachRow' })).json<{ v: number[] }>();
    assert.deepEqual(recorded[0]!.v.map(Number), [1]);
    // The fix: the failed migration was never recorded, so it may still be corrected.
    writeFileSync(join(migrations, '0002_more.sql'), [
      'CREATE TABLE IF NOT EXISTS first_half ${ON_CLUSTER} (x UInt32) ENGINE = ${REPLICATED}MergeTree ORDER BY x;',
      'CREATE TABLE IF NOT EXISTS second_half ${ON_CLUSTER} (x UInt32) ENGINE = ${REPLICATED}MergeTree ORDER BY x;',
      '',
    ].join('\n'));
    const result = await migrate(db, loadMigrations(migrations));
    assert.deepEqual(result.applied, ['0002_more']);
    const kept = await (await db.client.query({ query: 'SELECT sum(x) AS s FROM keep', format: 'JSONEachRow' })).json<{ s: number }>();
    assert.equal(Number(kept[0]!.s), 3);
    // Editing an applied migration is refused.
    writeFileSync(join(migrations, '0001_base.sql'), "CREATE TABLE IF NOT EXISTS keep ${ON_CLUSTER} (x UInt64) ENGINE = ${REPLICATED}MergeTree ORDER BY x;\n");
    await assert.rejects(migrate(db, loadMigrations(migrations)), /0001_base was changed after it was applied/);
  } finally {
    await db.close();
  }
});
