/**
 * The `chatlas` logging and configuration contract, as a person or a script
 * sees it: `--log-level` and `CHATLAS_LOG_LEVEL` set the level of every
 * command (flag over environment), a bad level or a cluster without a server
 * exits 2 quoting the value, and with stderr piped the log is JSON lines, also
 * during `chatlas crawl` over the simulated federation (127.7.0.0/16).
 * (The terminal path, lines above the progress bar, is tested with a fake TTY
 * in tests/unit/jobs/crawl/progress.test.ts.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimFederation, type SimFederation } from '../../../sim/sim-federation.ts';

const CLI = new URL('../../../jobs/cli.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'chatlas-logging-'));
let sim: SimFederation;

before(async () => { sim = await startSimFederation({ prefix: '127.7' }); });
after(async () => {
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Run { status: number | null; stdout: string; stderr: string }

/** Run the CLI with pipes on stdout and stderr (not a terminal) and only the given environment. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

/** Every stderr line as a pino record; fails on a line that is not JSON. */
function records(stderr: string): Array<{ level: number; msg: string } & Record<string, unknown>> {
  return stderr.split('\n').filter(Boolean).map((line) => {
    try {
      return JSON.parse(line) as { level: number; msg: string };
    } catch {
      assert.fail(`a log line on a pipe is not JSON: ${JSON.stringify(line)}`);
    }
  });
}

test('a bad level is a configuration error: exit 2, the value quoted, from the flag or the environment', async () => {
  const flag = await run(['export', 'servers', '--log-level', 'verbose'], { CHATLAS_DATA: join(root, 'bad') });
  assert.equal(flag.status, 2, flag.stderr);
  assert.match(flag.stderr, /^chatlas: --log-level="verbose" is not valid: .*"debug"/);
  const env = await run(['migrate'], { CHATLAS_DATA: join(root, 'bad'), CHATLAS_LOG_LEVEL: 'verbose' });
  assert.equal(env.status, 2, env.stderr);
  assert.match(env.stderr, /^chatlas: CHATLAS_LOG_LEVEL="verbose" is not valid/);
  assert.doesNotMatch(env.stderr, /custom levels/, 'pino\'s own error never shows');
});

test('a cluster without a ClickHouse server is a configuration error (exit 2), not a failure (1)', async () => {
  const env = await run(['migrate'], { CHATLAS_DATA: join(root, 'cluster'), CLICKHOUSE_CLUSTER: 'main' });
  assert.equal(env.status, 2, env.stderr);
  assert.equal(env.stderr, 'chatlas: CLICKHOUSE_CLUSTER="main" needs CLICKHOUSE_URL: the embedded store has no cluster\n');
  const flag = await run(['export', 'rooms', '--cluster', 'main'], { CHATLAS_DATA: join(root, 'cluster') });
  assert.equal(flag.status, 2, flag.stderr);
  assert.match(flag.stderr, /^chatlas: --cluster="main" needs CLICKHOUSE_URL/);
});

test('--log-level sets the level of any command, and wins over CHATLAS_LOG_LEVEL', async () => {
  // `export` opens (and migrates) the store, logging the migration at debug level.
  const data = join(root, 'levels');
  const debug = await run(['export', 'servers', '--log-level', 'debug'], { CHATLAS_DATA: data });
  assert.equal(debug.status, 0, debug.stderr);
  const migrated = records(debug.stderr).find((r) => r.msg === 'store migrated');
  assert.equal(migrated?.level, 20, debug.stderr);

  const quiet = await run(['export', 'servers'], { CHATLAS_DATA: join(root, 'levels-info') });
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(records(quiet.stderr).some((r) => r.level < 30), false, 'nothing below info by default');

  const overridden = await run(['export', 'servers', '--log-level', 'warn'], { CHATLAS_DATA: join(root, 'levels-warn'), CHATLAS_LOG_LEVEL: 'debug' });
  assert.equal(overridden.status, 0, overridden.stderr);
  assert.equal(overridden.stderr, '', 'the flag (warn) wins over the environment (debug)');
});

test('chatlas crawl with stderr piped: every log line is JSON, progress included; stdout is plain text', async () => {
  const seeds = join(root, 'seeds.txt');
  writeFileSync(seeds, `${sim.matrixDomains.slice(0, 2).map((d) => `${d} matrix`).join('\n')}\n`);
  const r = await run(['crawl'], {
    NODE_EXTRA_CA_CERTS: sim.caPath, ...sim.crawlEnv,
    CHATLAS_DATA: join(root, 'crawl'), CHATLAS_SEEDS: seeds, CHATLAS_SHIPPED_SEEDS: 'off', CHATLAS_ALLOW_TLDS: 'test',
  });
  assert.equal(r.status, 0, r.stderr);
  const msgs = records(r.stderr).map((x) => x.msg);
  assert.ok(msgs.includes('pass started'), r.stderr);
  assert.ok(msgs.includes('pass finished'), r.stderr);
  assert.match(r.stdout, /^pass \S+ done: [2-9]\d* probed/m, 'the two seeds were probed');
  assert.doesNotMatch(r.stdout + r.stderr, /\u001b/, 'no terminal escape codes on a pipe');
});

test('serve --log-level debug writes one line per request (and info writes none: tests/integration/cli/serve.test.ts)', { timeout: 120_000 }, async (t) => {
  const child = spawn(process.execPath, [CLI, 'serve', '--log-level', 'debug', '--schedule', 'off'], {
    env: { PATH: process.env.PATH, CHATLAS_DATA: join(root, 'serve'), HOST: '127.7.0.80', PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Killed if the test times out, so a hung server cannot keep the test runner alive.
    signal: t.signal,
    killSignal: 'SIGKILL',
  });
  child.on('error', () => {});
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  /** The first match of `re` in stderr, as soon as it is written; the test timeout bounds the wait. */
  const seen = (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const m = re.exec(stderr);
      if (m) { child.stderr.off('data', check); child.off('exit', exited); resolve(m); }
    };
    const exited = () => reject(new Error(`serve exited before ${re}: ${stderr}`));
    child.stderr.on('data', check);
    child.once('exit', exited);
    check();
  });
  try {
    const base = (await seen(/serving on (http:\/\/\S+)/))[1]!;
    const res = await fetch(new URL('/api/v1/stats?x=secret-token', base), { signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    const line = (await seen(/^(?=.*"msg":"request")(?=.*"path":"\/api\/v1\/stats").*$/m))[0];
    const record = JSON.parse(line) as { level: number; method: string; status: number };
    assert.equal(record.level, 20);
    assert.equal(record.method, 'GET');
    assert.equal(record.status, res.status);
    assert.doesNotMatch(stderr, /secret-token/, 'the query string is not logged');
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
});
