import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchJournal } from '../../../jobs/crawl/batch-journal.ts';
import { failedProbeResult } from '../../../jobs/crawl/failed-probe-result.ts';

const dir = mkdtempSync(join(tmpdir(), 'chatlas-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a journaled batch reads back with its Dates; removed batches and unsent temp files are gone', () => {
  const j = new BatchJournal(join(dir, 'j'));
  const r = failedProbeResult('00000000-0000-4000-8000-000000000001', 'a.chat.eu', 'matrix', new Date(1_700_000_000_123), 5, new Error('boom'));
  r.discoveries.push({ domain: 'b.chat.eu', protocol: 'matrix', via: 'room-alias', sourceDomain: 'a.chat.eu', foundAt: new Date(1_700_000_000_456) });
  j.write('t1', [r]);
  j.write('t2', [r]);
  j.remove('t2');
  writeFileSync(join(dir, 'j', 't3.tmp'), '{"tok');
  const pending = j.pending();
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.token, 't1');
  const back = pending[0]!.results[0]!;
  assert.ok(back.snapshot.observedAt instanceof Date && back.snapshot.observedAt.getTime() === 1_700_000_000_123);
  assert.equal(back.observations[0]!.observedAt.getTime(), 1_700_000_000_123);
  assert.equal(back.discoveries[0]!.foundAt.getTime(), 1_700_000_000_456);
  assert.deepEqual(back.snapshot, r.snapshot);
  assert.deepEqual(readdirSync(join(dir, 'j')), ['t1.json']);
});

test('a journal folder that does not exist has nothing pending', () => {
  assert.deepEqual(new BatchJournal(join(dir, 'none')).pending(), []);
});
