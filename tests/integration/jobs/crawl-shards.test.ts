/**
 * Shards, explicit domain lists and graceful stop, on the embedded store.
 * The probe is a LOOP-TEST DOUBLE (no sockets): these tests are about which
 * servers a pass takes, not about probing them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { runCrawlPass, type ProbeFn } from '../../../jobs/crawl/crawl.ts';
import { failedProbeResult } from '../../../jobs/crawl/failed-probe-result.ts';
import { HistoryCache } from '../../../jobs/crawl/history-cache.ts';
import { DEFAULT_RESERVED_TLDS } from '../../../crawler/discover/domain-name.ts';
import { parseShard } from '../../../jobs/crawl/shard.ts';
import { insertPassState } from '../../../db/queries/passes/insert-pass-state.ts';
import { serverSnapshotRow } from '../../../db/rows.ts';
import { ProbeError } from '../../../crawler/errors.ts';

const normalise = { reservedTlds: DEFAULT_RESERVED_TLDS.filter((t) => t !== 'test') };
const seeds = Array.from({ length: 150 }, (_, i) => ({ domain: `n${i}.shard.test`, protocol: 'xmpp' as const, source: 'test' }));
const T = Date.UTC(2026, 1, 1, 12);
let store: TestStore;

/** Records an ok snapshot; `onProbe` lets a test act in the middle of a pass. */
const probeWith = (onProbe: () => void = () => {}): ProbeFn => async (domain, protocol, { passId, now }) => {
  onProbe();
  await new Promise((r) => setImmediate(r));
  const r = failedProbeResult(passId, domain, protocol, now, 1, new Error('unused'));
  return { ...r, observations: [], snapshot: { ...r.snapshot, status: 'ok', software: 'prosody', version: '0.12.3', error: '', report: [] } };
};

before(async () => { store = await openTestStore(); });
after(async () => { await store?.cleanup(); });

test('three shard workers cover every domain exactly once', async () => {
  const now = new Date(T);
  for (const s of ['1/3', '2/3', '3/3']) {
    const summary = await runCrawlPass({ db: store.db, probe: probeWith(), seeds, clock: () => now }, { shard: parseShard(s), normalise });
    assert.ok(summary.probed > 20 && summary.probed < 80, `shard ${s} took ${summary.probed}`);
  }
  const got = await rows<{ domain: string; c: number }>(store.db, `SELECT domain, count() AS c FROM server_snapshots GROUP BY domain`);
  assert.equal(got.length, seeds.length);
  assert.deepEqual(got.filter((r) => Number(r.c) !== 1), []);
  const passes = await rows<{ shard: string }>(store.db, `SELECT shard FROM passes FINAL ORDER BY shard`);
  assert.deepEqual(passes.map((p) => p.shard), ['1/3', '2/3', '3/3']);
});

test('one hour later nothing is due before the interval, then everything is', async () => {
  const early = await runCrawlPass({ db: store.db, probe: probeWith(), seeds, clock: () => new Date(T + 30 * 60_000) }, { normalise });
  assert.equal(early.planned, 0);
  assert.equal(early.plan.notDue, seeds.length);
  assert.equal(early.plan.lifecycles.alive, seeds.length);
  assert.ok(early.plan.nextDueAt!.getTime() >= T + 54 * 60_000);
  const due = await runCrawlPass({ db: store.db, probe: probeWith(), seeds, clock: () => new Date(T + 2 * 3_600_000) }, { normalise });
  assert.equal(due.probed, seeds.length);
});

test('an explicit list probes just those domains, due or not', async () => {
  const s = await runCrawlPass({ db: store.db, probe: probeWith(), seeds, clock: () => new Date(T + 2 * 3_600_000 + 1000) }, { normalise, only: ['N1.shard.test', 'new.shard.test'] });
  // n1 is known for XMPP only; the unknown domain is tried for both protocols
  assert.equal(s.probed, 3);
  assert.deepEqual(s.byStatus, { ok: 3 });
  await assert.rejects(runCrawlPass({ db: store.db, probe: probeWith(), seeds }, { normalise, only: ['not a domain'] }), /is not a domain Chatlas can crawl \(bad-character\)/);
});

test('a stopped pass keeps what it stored and the next run resumes it', async () => {
  const controller = new AbortController();
  let n = 0;
  const now = new Date(T + 5 * 3_600_000);
  const stopped = await runCrawlPass({ db: store.db, probe: probeWith(() => { if (++n === 40) controller.abort(); }), seeds, clock: () => now }, { normalise, signal: controller.signal, concurrency: 8 });
  assert.equal(stopped.state, 'stopped');
  assert.ok(stopped.probed >= 40 && stopped.probed < seeds.length, `${stopped.probed}`);
  const resumed = await runCrawlPass({ db: store.db, probe: probeWith(), seeds, clock: () => new Date(T + 5 * 3_600_000 + 60_000) }, { normalise });
  assert.equal(resumed.resumed, true);
  assert.equal(resumed.passId, stopped.passId);
  assert.equal(resumed.alreadyDone, stopped.probed);
  assert.equal(resumed.alreadyDone + resumed.probed, seeds.length);
  const dupes = await rows(store.db, `SELECT domain, count() AS c FROM server_snapshots WHERE pass_id = {p:UUID} GROUP BY domain HAVING c != 1`, { p: stopped.passId });
  assert.deepEqual(dupes, []);
});

test('a probe that throws or hangs is recorded as that server\'s error, the hung one is aborted, and the pass goes on', async () => {
  const aborted: unknown[] = [];
  const probe: ProbeFn = async (domain, protocol, o) => {
    if (domain === 'n3.shard.test') throw new Error('bug in a probe');
    // Hangs until the loop's deadline aborts it, as a probe closing its sockets would.
    if (domain === 'n4.shard.test') return new Promise((_, reject) => o.signal.addEventListener('abort', () => { aborted.push(o.signal.reason); reject(o.signal.reason); }));
    return probeWith()(domain, protocol, o);
  };
  const s = await runCrawlPass({ db: store.db, probe, seeds, clock: () => new Date(T + 9 * 3_600_000) }, { normalise, probeDeadlineMs: 200 });
  assert.equal(s.state, 'done');
  assert.equal(s.probeFailures, 2);
  assert.equal(s.probed, seeds.length);
  const errs = await rows<{ domain: string; outcome: string }>(store.db,
    `SELECT domain, outcome FROM observations WHERE step = 'crawl.probe' AND pass_id = {p:UUID} ORDER BY domain`, { p: s.passId });
  assert.deepEqual(errs.map((e) => `${e.domain} ${e.outcome}`), ['n3.shard.test internal', 'n4.shard.test net.timeout']);
  assert.equal(aborted.length, 1, 'the probe that lost the race was aborted');
  assert.ok(aborted[0] instanceof ProbeError && aborted[0].code === 'net.timeout');
});

test('without a journal, a snapshot stored without its progress row is marked done on resume, not probed again', async () => {
  const passId = '00000000-0000-4000-8000-0000000000aa';
  const startedAt = new Date(T + 20 * 3_600_000);
  await insertPassState(store.db, { passId, startedAt, updatedAt: startedAt, shard: '', state: 'running', planned: seeds.length, done: 0 });
  const orphan = await probeWith()('n7.shard.test', 'xmpp', { passId, now: startedAt, signal: new AbortController().signal });
  await store.db.client.insert({ table: 'server_snapshots', values: [serverSnapshotRow(orphan.snapshot)], format: 'JSONEachRow' });
  const probed: string[] = [];
  const probe: ProbeFn = async (domain, protocol, o) => { probed.push(domain); return probeWith()(domain, protocol, o); };
  const s = await runCrawlPass({ db: store.db, probe, seeds, clock: () => new Date(startedAt.getTime() + 60_000) }, { normalise });
  assert.equal(s.passId, passId);
  assert.equal(s.repaired, 1);
  assert.ok(!probed.includes('n7.shard.test'));
  assert.equal(s.alreadyDone + s.probed, seeds.length);
  const [c] = await rows<{ c: number }>(store.db, `SELECT count() AS c FROM server_snapshots WHERE pass_id = {p:UUID} AND domain = 'n7.shard.test'`, { p: passId });
  assert.equal(Number(c!.c), 1);
});

test('with the scheduler\'s history cache, a stopped pass resumes with the same plan and later plans read only new snapshots', async () => {
  const history = new HistoryCache();
  const controller = new AbortController();
  let n = 0;
  const start = T + 30 * 3_600_000;
  const stopped = await runCrawlPass({ db: store.db, probe: probeWith(() => { if (++n === 30) controller.abort(); }), seeds, clock: () => new Date(start) }, { normalise, signal: controller.signal, concurrency: 8, history });
  assert.equal(stopped.state, 'stopped');
  assert.equal(history.lastRead!.mode, 'full');
  const resumed = await runCrawlPass({ db: store.db, probe: probeWith(), seeds, clock: () => new Date(start + 60_000) }, { normalise, history });
  assert.equal(resumed.passId, stopped.passId);
  assert.equal(history.lastRead!.mode, 'incremental', 'same asOf: only the overlap is read, the pass\'s own snapshots are not before it');
  assert.equal(resumed.planned, stopped.planned);
  assert.equal(resumed.alreadyDone + resumed.probed, stopped.planned);
  const next = await runCrawlPass({ db: store.db, probe: probeWith(), seeds, clock: () => new Date(start + 2 * 3_600_000) }, { normalise, history });
  assert.equal(history.lastRead!.mode, 'incremental');
  assert.equal(history.lastRead!.folded, seeds.length, 'the previous pass\'s snapshots, each folded once');
  assert.equal(next.probed, seeds.length);
});
