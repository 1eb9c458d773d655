import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { getNetworkTotals } from '../../../../db/queries/stats/get-network-totals.ts';
import { getNetworkSeries } from '../../../../db/queries/stats/get-network-series.ts';
import { chooseAsOf } from '../../../../db/queries/stats/choose-as-of.ts';
import { insert, openTestStore, result, room, snap } from './store.ts';

const DAY = 86_400_000;
let db: Db;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openTestStore());
  const a = snap('a.test', 'matrix', '2026-10-31T09:00:00Z', { registration: 'open', ipv6: true, dnssec: true });
  a.tls!.validTo = new Date(a.observedAt.getTime() + 5 * DAY); // valid, expiring within 14 days
  const d = snap('d.test', 'xmpp', '2026-10-31T11:00:00Z', { ipv6: true, dane: true });
  d.tls!.chainValid = false;
  await insert(db, [
    // the comparison day, 30 days earlier
    result(snap('a.test', 'matrix', '2026-10-01T09:00:00Z')),
    result(snap('b.test', 'matrix', '2026-10-01T09:00:00Z')),
    // the as-of day
    result(a, [room(a, 'one', { members: 10 }), room(a, 'two', { members: 30 })]),
    result(snap('b.test', 'matrix', '2026-10-31T10:00:00Z', { software: 'synapse' })),
    result(snap('b.test', 'matrix', '2026-10-31T15:00:00Z', { software: 'dendrite' })), // switched mid-day: counts once
    result(snap('c.test', 'xmpp', '2026-10-31T08:00:00Z')),
    result(snap('c.test', 'xmpp', '2026-10-31T20:00:00Z', { status: 'unreachable', tls: null, ipv6: null, dnssec: null, dane: null })),
    result(d),
    // today: a pass that has probed one server so far
    result(snap('a.test', 'matrix', '2026-11-01T06:00:00Z', { status: 'unreachable', tls: null })),
  ]);
});
after(() => close());

describe('getNetworkTotals', () => {
  it('shows the latest complete day, never a partial pass, with its 30-day comparison', async () => {
    const t = await getNetworkTotals(db, { now: new Date('2026-11-01T23:00:00Z') });
    assert.equal(t.asOf, '2026-10-31');
    assert.equal(t.previousDay, '2026-10-01');
    assert.deepEqual(t.coverage, [
      { day: '2026-10-01', probed: 2 },
      { day: '2026-10-31', probed: 4 },
      { day: '2026-11-01', probed: 1 },
    ]);
    const c = t.current!;
    assert.deepEqual(
      [c.probed, c.reachable, c.rooms, c.members, c.openRegistration],
      [4, 3, 2, 40, 1],
    );
    assert.deepEqual([c.tlsObserved, c.tlsValid, c.tlsExpiring], [3, 2, 1]);
    assert.deepEqual([c.dnssecObserved, c.dnssec, c.daneObserved, c.dane, c.ipv6Observed, c.ipv6], [3, 1, 3, 1, 3, 2]);
    assert.equal(c.firstAt, '2026-10-31T09:00:00.000Z'); // a.test, the earliest last-of-day probe
    assert.equal(c.lastAt, '2026-10-31T20:00:00.000Z');
    assert.deepEqual([t.previous!.probed, t.previous!.reachable], [2, 2]);
    assert.deepEqual([t.byProtocol.matrix!.probed, t.byProtocol.matrix!.reachable], [2, 2]);
    assert.deepEqual([t.byProtocol.xmpp!.probed, t.byProtocol.xmpp!.reachable], [2, 1]);
  });

  it('filters by protocol', async () => {
    const t = await getNetworkTotals(db, { now: new Date('2026-11-01T23:00:00Z'), protocol: 'xmpp' });
    assert.equal(t.asOf, '2026-10-31');
    assert.equal(t.previousDay, null, 'no xmpp server was probed 30 days before');
    assert.deepEqual([t.current!.probed, t.current!.reachable], [2, 1]);
  });

  it('has no as-of day on an empty range', async () => {
    const t = await getNetworkTotals(db, { now: new Date('2025-01-01T00:00:00Z') });
    assert.equal(t.asOf, null);
    assert.equal(t.current, null);
  });
});

describe('getNetworkSeries', () => {
  it('counts each server once per day with its last state of the day', async () => {
    const points = await getNetworkSeries(db, { from: '2026-10-31', to: '2026-10-31', step: 'day' });
    assert.deepEqual(points.map((p) => [p.bucket, p.protocol, p.probed, p.reachable]), [
      ['2026-10-31', 'matrix', 2, 2],
      ['2026-10-31', 'xmpp', 2, 1],
    ]);
  });

  it('uses the last state of the week for a weekly bucket', async () => {
    // 2026-10-31 (Sat) and 2026-11-01 (Sun) share the week of Monday 2026-10-26; a.test was down on Sunday.
    const points = await getNetworkSeries(db, { from: '2026-10-26', to: '2026-11-01', step: 'week', protocol: 'matrix' });
    assert.deepEqual(points.map((p) => [p.bucket, p.protocol, p.probed, p.reachable, p.rooms]), [['2026-10-26', 'matrix', 2, 1, 0]]);
  });

  it('monthly buckets start on the first of the month', async () => {
    const points = await getNetworkSeries(db, { from: '2026-10-01', to: '2026-11-30', step: 'month' });
    assert.deepEqual(points.map((p) => [p.bucket, p.protocol, p.probed]), [
      ['2026-10-01', 'matrix', 2], ['2026-10-01', 'xmpp', 2], ['2026-11-01', 'matrix', 1],
    ]);
  });
});

describe('chooseAsOf', () => {
  it('skips a day whose coverage is below 90% of the week before', () => {
    assert.equal(chooseAsOf([{ day: '2026-01-01', probed: 100 }, { day: '2026-01-02', probed: 95 }, { day: '2026-01-03', probed: 40 }]), '2026-01-02');
  });
  it('accepts a shrinking network once the low day is the norm for a week', () => {
    const days = Array.from({ length: 10 }, (_, i) => ({ day: `2026-01-${String(i + 1).padStart(2, '0')}`, probed: i < 2 ? 100 : 50 }));
    assert.equal(chooseAsOf(days), '2026-01-10');
  });
  it('returns null without data', () => {
    assert.equal(chooseAsOf([]), null);
  });
});

describe('getServerChurn', () => {
  it('counts discovered domains and servers lost since their last good probe', async () => {
    const { getServerChurn } = await import('../../../../db/queries/stats/get-server-churn.ts');
    const { insertProbeResults } = await import('../../../../db/queries/observations/insert-probe-results.ts');
    // gone.test answered on 2026-10-02 and failed on 2026-10-20: lost, counted on 2026-10-02.
    // blip.test failed two days after its last good probe: not lost yet.
    const gone = result(snap('gone.test', 'matrix', '2026-10-02T10:00:00Z'));
    gone.discoveries = [{ domain: 'gone.test', protocol: 'matrix', via: 'seed', sourceDomain: '', foundAt: new Date('2026-10-02T09:00:00Z') }];
    await insertProbeResults(db, [gone]);
    await insert(db, [
      result(snap('gone.test', 'matrix', '2026-10-20T10:00:00Z', { status: 'unreachable', tls: null })),
      result(snap('blip.test', 'matrix', '2026-10-02T10:00:00Z')),
      result(snap('blip.test', 'matrix', '2026-10-04T10:00:00Z', { status: 'unreachable', tls: null })),
    ]);
    const points = await getServerChurn(db, { from: '2026-10-01', to: '2026-10-31' });
    assert.deepEqual(points, [{ bucket: '2026-10-02', discovered: 1, lost: 1 }]);
    const monthly = await getServerChurn(db, { from: '2026-10-01', to: '2026-10-31', step: 'month', lostAfterDays: 1 });
    assert.deepEqual(monthly, [{ bucket: '2026-10-01', discovered: 1, lost: 2 }]);
  });
});
