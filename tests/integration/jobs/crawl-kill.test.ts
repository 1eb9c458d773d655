/**
 * kill -9 in the middle of a pass, twice, then a restart that finishes it:
 * no acknowledged server is lost, none is written twice, and the rollups
 * equal a recount from the raw snapshots. Without the batch journal this test
 * failed: a kill between a snapshot's part and its views' parts left 20
 * snapshots out of server_daily_v1 and servers_latest (jobs/crawl/batch-journal.ts).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createDb, type Db } from '../../../db/client.ts';
import { loadDbConfig } from '../../../db/config.ts';
import { rows } from '../../harness/store.ts';

const CHILD = new URL('./crawl-child.ts', import.meta.url).pathname;
const COUNT = 400;
const dir = mkdtempSync(join(tmpdir(), 'chatlas-kill-'));
const dataDir = join(dir, 'data');
const children = new Set<ChildProcess>();
let db: Db | undefined;

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Run the child; kill it with SIGKILL once `killAfterAcks` batches are acknowledged (plus a small random delay). */
function runChild(killAfterAcks: number | null): Promise<{ acked: string[]; done: Record<string, unknown> | null; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, String(COUNT), '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    const acked: string[] = [];
    let acks = 0;
    let done: Record<string, unknown> | null = null;
    let killed = false;
    const deadline = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('child did not finish in 60 s')); }, 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('ack ')) {
        acked.push(...line.slice(4).split(' '));
        if (killAfterAcks !== null && ++acks === killAfterAcks) {
          // Somewhere inside the next batch: its probes, its inserts or between them.
          setTimeout(() => { killed = true; child.kill('SIGKILL'); }, Math.floor(Math.random() * 120));
        }
      } else if (line.startsWith('done ')) {
        done = JSON.parse(line.slice(5)) as Record<string, unknown>;
      }
    });
    child.on('exit', () => {
      clearTimeout(deadline);
      children.delete(child);
      resolve({ acked, done, killed });
    });
  });
}

test('a pass killed with -9 twice resumes, loses no acknowledged server and writes no duplicate', async () => {
  const first = await runChild(3);
  const second = await runChild(2);
  const third = await runChild(null);
  assert.ok(first.killed && first.done === null, 'the first child was killed before finishing');
  assert.ok(second.killed && second.done === null, 'the second child was killed before finishing');
  assert.ok(third.done, 'the third child finished the pass');
  assert.equal(third.done.resumed, true);
  assert.equal(third.done.planned, COUNT);

  db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
  const passes = await rows<{ pass_id: string; state: string }>(db, `SELECT toString(pass_id) AS pass_id, argMax(state, updated_at) AS state FROM passes GROUP BY pass_id`);
  assert.equal(passes.length, 1, 'all three runs worked on one pass');
  assert.equal(passes[0]!.state, 'done');
  assert.equal(passes[0]!.pass_id, third.done.passId);

  // No acknowledged server lost.
  const progress = await rows<{ key: string; c: number }>(db, `SELECT concat(protocol, ':', domain) AS key, count() AS c FROM pass_progress GROUP BY key`);
  const marked = new Set(progress.map((r) => r.key));
  for (const key of [...first.acked, ...second.acked]) assert.ok(marked.has(key), `${key} was acknowledged before a kill and is not done`);
  // Every server done exactly once.
  assert.equal(progress.length, COUNT);
  assert.deepEqual(progress.filter((r) => Number(r.c) !== 1), []);
  const snaps = await rows<{ c: number }>(db, `SELECT count() AS c FROM server_snapshots GROUP BY pass_id, protocol, domain HAVING c != 1`);
  assert.deepEqual(snaps, [], 'a server has two snapshots in one pass');
  const [total] = await rows<{ c: number }>(db, `SELECT count() AS c FROM server_snapshots`);
  assert.equal(Number(total!.c), COUNT);
  // The journal replays a cut batch exactly, so not even observations are written twice.
  const [obs] = await rows<{ c: number; u: number }>(db, `SELECT count() AS c, uniqExact(domain) AS u FROM observations`);
  assert.deepEqual([Number(obs!.c), Number(obs!.u)], [COUNT, COUNT]);
  const [latest] = await rows<{ c: number }>(db, `SELECT count() AS c FROM servers_latest`);
  assert.equal(Number(latest!.c), COUNT, 'servers_latest (a view target) misses servers');

  // Rollups equal a recount from raw.
  const [daily] = await rows<{ probes: number; ok: number }>(db, `SELECT sum(probes) AS probes, sum(ok_probes) AS ok FROM server_daily_v1`);
  const [raw] = await rows<{ probes: number; ok: number }>(db, `SELECT count() AS probes, countIf(status = 'ok') AS ok FROM server_snapshots`);
  assert.deepEqual({ probes: Number(daily!.probes), ok: Number(daily!.ok) }, { probes: Number(raw!.probes), ok: Number(raw!.ok) });
  const rollup = await rows<{ s: string; v: string; n: number }>(db, `SELECT software AS s, version AS v, uniqExactMerge(servers) AS n FROM software_daily_v1 GROUP BY s, v ORDER BY s, v`);
  const recount = await rows<{ s: string; v: string; n: number }>(db, `SELECT software AS s, version AS v, uniqExact(domain) AS n FROM server_snapshots WHERE status = 'ok' GROUP BY s, v ORDER BY s, v`);
  assert.deepEqual(rollup.map((r) => ({ ...r, n: Number(r.n) })), recount.map((r) => ({ ...r, n: Number(r.n) })));
});
