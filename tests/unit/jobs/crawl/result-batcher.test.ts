import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultBatcher, batchToken } from '../../../../jobs/crawl/result-batcher.ts';
import { failedProbeResult } from '../../../../jobs/crawl/failed-probe-result.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';

const PASS = '00000000-0000-4000-8000-000000000001';
const result = (i: number): ProbeResult => failedProbeResult(PASS, `s${i}.chat.eu`, 'xmpp', new Date(1_700_000_000_000 + i), 1, new Error('x'));

test('flushes by size, in order, and the rest on flush()', async () => {
  const batches: string[][] = [];
  const b = new ResultBatcher(async (rs) => { batches.push(rs.map((r) => r.snapshot.domain)); }, { maxBatch: 3, maxDelayMs: 60_000 });
  for (let i = 0; i < 7; i++) await b.add(result(i));
  await b.flush();
  assert.deepEqual(batches.map((x) => x.length), [3, 3, 1]);
  assert.deepEqual(batches.flat(), Array.from({ length: 7 }, (_, i) => `s${i}.chat.eu`));
  assert.equal(b.stored, 7);
});

test('flushes by time when the batch does not fill', async (t) => {
  // Mocked timers: the batcher's maxDelayMs timer fires when the test says, not after a real wait.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let written = 0;
  const { promise: wrote, resolve } = Promise.withResolvers<void>();
  const b = new ResultBatcher(async (rs) => { written += rs.length; resolve(); }, { maxBatch: 100, maxDelayMs: 5 });
  await b.add(result(1));
  t.mock.timers.tick(4);
  await new Promise((r) => setImmediate(r));
  assert.equal(written, 0, 'not before maxDelayMs');
  t.mock.timers.tick(1);
  await wrote;
  assert.equal(written, 1);
});

test('a failed write is retried with the same token, journaled before and forgotten after', async () => {
  const tokens: string[] = [];
  const journal: string[] = [];
  let calls = 0;
  const b = new ResultBatcher(async (_rs, token) => {
    tokens.push(token);
    if (++calls < 3) throw new Error('store busy');
  }, { maxBatch: 2, retryDelaysMs: [1], journal: { write: (t) => journal.push(`write ${t}`), remove: (t) => journal.push(`remove ${t}`) } });
  await b.add(result(1));
  await b.add(result(2));
  await b.flush();
  assert.equal(tokens.length, 3);
  assert.equal(new Set(tokens).size, 1);
  assert.deepEqual(journal, [`write ${tokens[0]}`, `remove ${tokens[0]}`]);
});

test('after the attempts run out the error reaches add() and flush(), and the batch stays journaled', async () => {
  const journal: string[] = [];
  const b = new ResultBatcher(async () => { throw new Error('store down'); }, { maxBatch: 1, attempts: 2, retryDelaysMs: [1], journal: { write: (t) => journal.push(`write ${t}`), remove: (t) => journal.push(`remove ${t}`) } });
  await assert.rejects(b.add(result(1)), /store down/);
  await assert.rejects(b.add(result(2)), /store down/);
  await assert.rejects(b.flush(), /store down/);
  assert.equal(journal.filter((j) => j.startsWith('remove')).length, 0);
});

test('batch tokens depend on content, not on position', () => {
  assert.equal(batchToken([result(1), result(2)]), batchToken([result(1), result(2)]));
  assert.notEqual(batchToken([result(1), result(2)]), batchToken([result(1), result(3)]));
});

test('bad options are refused quoting the value', () => {
  assert.throws(() => new ResultBatcher(async () => {}, { maxBatch: 0 }), /maxBatch must be an integer >= 1, got 0/);
});
