/**
 * kill -9 in the middle of a large batched insert loses nothing that was
 * acknowledged, never leaves a half batch, and a restart carries on.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createDb } from '../../../db/client.ts';
import { loadDbConfig } from '../../../db/config.ts';
import { SERVERS_PER_BATCH, STEPS_PER_SERVER } from './children/batch-of.ts';

const CHILD = new URL('./children/insert-loop.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'chatlas-crash-'));
const dir = join(root, 'data');
after(() => rmSync(root, { recursive: true, force: true }));

/** Run the insert loop from batch `start`; kill -9 it after `killAfterAcks` acknowledgements (or let it finish). */
function runLoop(start: number, count: number, killAfterAcks: number | null): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(start), String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: number[] = [];
    let stderr = '';
    child.stderr.on('data', (c) => { stderr += c; });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^ack (\d+)$/.exec(line);
      if (!m) return;
      acks.push(Number(m[1]));
      if (killAfterAcks !== null && acks.length === killAfterAcks) {
        // Let the next batch get under way, then kill without warning.
        setTimeout(() => child.kill('SIGKILL'), 15 + Math.floor(Math.random() * 40));
      }
    });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('insert loop did not finish in 120 s')); }, 120_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (killAfterAcks === null && code !== 0) reject(new Error(`insert loop failed (${code ?? signal}): ${stderr}`));
      else resolve(acks);
    });
  });
}

async function rowsPerBatch(): Promise<Map<number, { obs: number; snaps: number; done: number }>> {
  const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dir } }));
  try {
    const rs = await db.client.query({
      query: `SELECT toUInt32(right(toString(pass_id), 12)) AS n,
                (SELECT count() FROM observations o WHERE o.pass_id = p.pass_id) AS obs,
                (SELECT count() FROM server_snapshots s WHERE s.pass_id = p.pass_id) AS snaps,
                count() AS done
              FROM pass_progress p GROUP BY pass_id ORDER BY n`,
      format: 'JSONEachRow',
    });
    const out = new Map<number, { obs: number; snaps: number; done: number }>();
    for (const r of await rs.json<{ n: number; obs: string; snaps: string; done: string }>()) {
      out.set(Number(r.n), { obs: Number(r.obs), snaps: Number(r.snaps), done: Number(r.done) });
    }
    // Also count observations whose batch never reached pass_progress (the batch in flight at the kill).
    const orphans = await db.client.query({ query: 'SELECT count() AS c FROM observations WHERE pass_id NOT IN (SELECT pass_id FROM pass_progress)', format: 'JSONEachRow' });
    const [{ c }] = await orphans.json<{ c: string }>() as [{ c: string }];
    const partial = Number(c);
    // The in-flight batch is either wholly in observations or not at all (one INSERT is atomic).
    assert.ok(partial === 0 || partial === SERVERS_PER_BATCH * STEPS_PER_SERVER, `partial batch of ${partial} observation rows`);
    return out;
  } finally {
    await db.close();
  }
}

test('kill -9 mid-insert loses no acknowledged batch, and a restart carries on', { timeout: 300_000 }, async () => {
  const first = await runLoop(0, 1_000, 3);
  assert.ok(first.length >= 3, `expected at least 3 acknowledged batches, got ${first.length}`);
  const afterCrash = await rowsPerBatch();
  for (const n of first) {
    const b = afterCrash.get(n);
    assert.ok(b, `acknowledged batch ${n} is missing after kill -9`);
    assert.deepEqual(b, { obs: SERVERS_PER_BATCH * STEPS_PER_SERVER, snaps: SERVERS_PER_BATCH, done: SERVERS_PER_BATCH }, `batch ${n}`);
  }
  // Restart from the first batch not acknowledged: the store opens (stale lock) and carries on.
  const next = Math.max(...first) + 1;
  const second = await runLoop(next, 2, null);
  assert.deepEqual(second, [next, next + 1]);
  const final = await rowsPerBatch();
  for (const n of [...first, ...second]) {
    assert.deepEqual(final.get(n)?.obs, SERVERS_PER_BATCH * STEPS_PER_SERVER, `batch ${n} after restart`);
  }
});
