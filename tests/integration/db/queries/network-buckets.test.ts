/**
 * The network rollup (network_buckets_v1, jobs/rollup/network-rollup.ts) is a shortcut only: every page
 * query gives the same answer with the rollup empty, filled, or stale after late observations.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { getNetworkSeries } from '../../../../db/queries/stats/get-network-series.ts';
import { getNetworkTotals } from '../../../../db/queries/stats/get-network-totals.ts';
import { getSoftwareSeries } from '../../../../db/queries/software/get-software-series.ts';
import { getVersionSeries } from '../../../../db/queries/software/get-version-series.ts';
import { getSoftwareShare } from '../../../../db/queries/software/get-software-share.ts';
import { getRegistrationModes } from '../../../../db/queries/software/get-registration-modes.ts';
import { planNetworkCells } from '../../../../db/queries/stats/plan-network-cells.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { runNetworkRollup } from '../../../../jobs/rollup/network-rollup.ts';
import { syntheticNetwork } from '../../../harness/synthetic.ts';
import { insert, openTestStore, result, snap } from './store.ts';
import { rows } from '../../../harness/store.ts';

let db: Db;
let close: () => Promise<void>;
// "Today" is Wednesday 2026-09-23: today, this week and this month are still open.
const now = new Date('2026-09-23T18:00:00Z');

before(async () => {
  ({ db, close } = await openTestStore());
  for (const day of syntheticNetwork({ servers: 150, days: 40, end: new Date('2026-09-23T12:00:00Z'), seed: 5 })) await insertProbeResults(db, day);
  // Late the same day, servers switch software, go down or lose facts: their last state counts.
  await insert(db, [
    result(snap('late1.test', 'matrix', '2026-09-10T08:00:00Z', { software: 'synapse', version: '1.120.0' })),
    result(snap('late1.test', 'matrix', '2026-09-10T22:00:00Z', { software: 'dendrite', version: '0.15.2', registration: 'open' })),
    result(snap('late2.test', 'xmpp', '2026-09-14T08:00:00Z', { ipv6: true })),
    result(snap('late2.test', 'xmpp', '2026-09-14T21:00:00Z', { status: 'unreachable', tls: null, ipv6: null })),
    result(snap('late3.test', 'matrix', '2026-09-22T09:00:00Z', { publicRooms: 4, publicMembers: 40 })),
    // A Matrix-only domain probed as XMPP, and a server whose last state of a day is "no sign of it"
    // (issue 13 item 7): in no count, in the rollup as live.
    ...['2026-09-10', '2026-09-11', '2026-09-16'].map((day) => result(snap('mxonly.test', 'xmpp', `${day}T07:00:00Z`, { status: 'not-a-server', tls: null, ipv6: null }))),
    result(snap('late5.test', 'xmpp', '2026-09-11T08:00:00Z')),
    result(snap('late5.test', 'xmpp', '2026-09-11T20:00:00Z', { status: 'not-a-server', tls: null })),
  ]);
});
after(() => close());

/** Every page query the rollup serves, over windows that end today and start mid-bucket. */
async function everything(): Promise<unknown[]> {
  return Promise.all([
    getNetworkTotals(db, { now, compareDays: 30 }),
    getNetworkSeries(db, { from: '2026-08-25', to: '2026-09-23', step: 'day' }),
    getNetworkSeries(db, { from: '2026-08-20', to: '2026-09-23', step: 'week', protocol: 'matrix' }),
    getNetworkSeries(db, { from: '2026-08-01', to: '2026-09-23', step: 'month' }),
    getSoftwareSeries(db, { from: '2026-08-25', to: '2026-09-23' }),
    getSoftwareSeries(db, { from: '2026-08-20', to: '2026-09-23', step: 'week' }),
    getVersionSeries(db, { software: 'synapse', from: '2026-08-25', to: '2026-09-23' }),
    getVersionSeries(db, { software: 'dendrite', from: '2026-08-01', to: '2026-09-23', step: 'month' }),
    getSoftwareShare(db, { day: '2026-09-10' }),
    getSoftwareShare(db, { day: '2026-09-23' }),
    getRegistrationModes(db, { day: '2026-09-10' }),
    getRegistrationModes(db, { day: '2026-09-14', protocol: 'xmpp' }),
  ]);
}

describe('network rollup', () => {
  let live: unknown[];

  it('answers the same from server_daily_v1 alone and from the filled rollup', async () => {
    live = await everything();
    const round = await runNetworkRollup(db, now);
    // 39 closed days, the closed weeks from 2026-08-17 (the first, cut by the synthetic start, is still whole in the store), August.
    assert.equal(round.day.written, 39 * 2);
    assert.equal(round.month.written, 2);
    assert.ok(round.week.written >= 8);
    assert.deepEqual([round.day.pending, round.week.pending, round.month.pending], [0, 0, 0]);
    const plan = await planNetworkCells(db, { from: '2026-08-25', to: '2026-09-23' });
    assert.deepEqual(plan.buckets.filter((b) => !b.useStored).map((b) => b.bucket), ['2026-09-23', '2026-09-23'], 'only today is live');
    assert.deepEqual(await everything(), live);
  });

  it('counts no domain whose last state is not-a-server: probed and reachable equal a recount of the servers that run the protocol', async () => {
    const days = await getNetworkSeries(db, { from: '2026-09-09', to: '2026-09-17', protocol: 'xmpp' });
    const recount = await rows<{ day: string; probed: number; reachable: number }>(db, `
      SELECT toString(day) AS day, countIf(status != 'not-a-server') AS probed, countIf(status = 'ok') AS reachable
      FROM (SELECT toDate(observed_at) AS day, domain, argMax(status, observed_at) AS status FROM server_snapshots
            WHERE protocol = 'xmpp' AND toDate(observed_at) BETWEEN '2026-09-09' AND '2026-09-17' GROUP BY day, domain)
      GROUP BY day ORDER BY day`);
    assert.deepEqual(days.map((p) => [p.bucket, p.probed, p.reachable]), recount.map((r) => [r.day, Number(r.probed), Number(r.reachable)]));
    const all = await rows<{ n: number }>(db, `SELECT uniqExact(domain) AS n FROM server_snapshots WHERE protocol = 'xmpp' AND toDate(observed_at) = '2026-09-11'`);
    assert.equal(days.find((p) => p.bucket === '2026-09-11')!.probed, Number(all[0]!.n) - 2, 'mxonly.test and late5.test are probed, not counted');
    const plan = await planNetworkCells(db, { from: '2026-09-09', to: '2026-09-17', protocol: 'xmpp' });
    assert.ok(plan.buckets.every((b) => b.useStored), 'the counts above came from the rollup');
  });

  it('never reads a computation of an older cell definition (0016: before not-a-server was left out of probed)', async () => {
    const before = await everything();
    // A newer computation of 2026-09-11 as the previous definition would have stored it: same fingerprint, more servers.
    await db.client.command({ query: `
      INSERT INTO network_buckets_v1 (step, bucket, protocol, software, version, registration, computed_at, definition, source_probes, probes,
        probed, reachable, rooms, members, tls_observed, tls_ok, tls_expiring, dnssec_observed, dnssec_on, dane_observed, dane_on,
        ipv6_observed, ipv6_on, first_at, last_at)
      SELECT step, bucket, protocol, software, version, registration, computed_at + INTERVAL 1 MINUTE, 1, source_probes, probes,
        probed + 1000, reachable, rooms, members, tls_observed, tls_ok, tls_expiring, dnssec_observed, dnssec_on, dane_observed, dane_on,
        ipv6_observed, ipv6_on, first_at, last_at
      FROM network_buckets_v1 WHERE step = 'day' AND bucket = '2026-09-11'` });
    const plan = await planNetworkCells(db, { from: '2026-09-11', to: '2026-09-11' });
    assert.ok(plan.buckets.length === 2 && plan.buckets.every((b) => b.useStored));
    assert.deepEqual(await everything(), before);
    const round = await runNetworkRollup(db, now);
    assert.deepEqual([round.day.written, round.week.written, round.month.written], [0, 0, 0], 'the current definition\'s computation is up to date');
  });

  it('reads a bucket live again once a late observation lands in it, then the next round catches up', async () => {
    // A probe of 2026-09-10 arrives after the rollup wrote that day: late1.test goes down at the very end of it.
    await insert(db, [result(snap('late1.test', 'matrix', '2026-09-10T23:59:00Z', { status: 'unreachable', software: 'dendrite', tls: null }))]);
    const plan = await planNetworkCells(db, { from: '2026-09-01', to: '2026-09-23' });
    assert.deepEqual(plan.buckets.filter((b) => !b.useStored).map((b) => `${b.bucket} ${b.protocol}`),
      ['2026-09-10 matrix', '2026-09-23 matrix', '2026-09-23 xmpp']);
    const share = await getSoftwareShare(db, { day: '2026-09-10', protocol: 'matrix' });
    const before = (live[8] as { protocol: string; software: string; servers: number }[]).filter((r) => r.protocol === 'matrix');
    assert.equal(share.find((r) => r.software === 'dendrite')?.servers ?? 0, (before.find((r) => r.software === 'dendrite')?.servers ?? 0) - 1);

    const withStale = await everything();
    await db.client.command({ query: 'TRUNCATE TABLE network_buckets_v1' });
    assert.deepEqual(await everything(), withStale, 'a stale rollup changes nothing');
    const round = await runNetworkRollup(db, now);
    assert.equal(round.day.written, 39 * 2);
    assert.deepEqual(await everything(), withStale);
    const again = await runNetworkRollup(db, now);
    assert.deepEqual([again.day.written, again.week.written, again.month.written], [0, 0, 0], 'an up-to-date rollup is left alone');
  });

  it('rewrites only the buckets a late observation touched', async () => {
    await insert(db, [result(snap('late4.test', 'xmpp', '2026-09-02T10:00:00Z'))]);
    const round = await runNetworkRollup(db, now);
    // The day, its week (Monday 2026-08-31) and September, which is still open and never stored.
    assert.deepEqual([round.day.written, round.week.written, round.month.written], [1, 1, 0]);
    const [share] = await Promise.all([getSoftwareShare(db, { day: '2026-09-02', protocol: 'xmpp' })]);
    assert.ok(share.some((r) => r.software === 'prosody'));
  });
});
