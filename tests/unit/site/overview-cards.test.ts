import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coverageLine, overviewCards } from '../../../site/lib/overview-cards.ts';
import type { NetworkSnapshot, NetworkTotals } from '../../../db/queries/stats/get-network-totals.ts';

const snap = (over: Partial<NetworkSnapshot>): NetworkSnapshot => ({
  bucket: '2026-11-20', probed: 100, reachable: 80, rooms: 500, members: 20_000, openRegistration: 8, tlsObserved: 80, tlsValid: 76,
  tlsExpiring: 4, dnssecObserved: 80, dnssec: 8, daneObserved: 80, dane: 2, ipv6Observed: 80, ipv6: 40,
  firstAt: '2026-11-20T00:10:00.000Z', lastAt: '2026-11-20T03:40:00.000Z', ...over,
});

const totals = (current: NetworkSnapshot | null, previous: NetworkSnapshot | null): NetworkTotals => ({
  asOf: current ? '2026-11-20' : null, previousDay: previous ? '2026-10-21' : null, current, previous, byProtocol: {}, coverage: [],
});

describe('overviewCards', () => {
  it('shows counts with signed change and shares with point change over their basis', () => {
    const cards = overviewCards(totals(snap({}), snap({ probed: 90, reachable: 80, openRegistration: 4 })));
    const by = Object.fromEntries(cards.map((c) => [c.key, c]));
    assert.equal(by.servers!.value, '100');
    assert.equal(by.servers!.change, '+10 since 2026-10-21');
    assert.equal(by.servers!.trend, 'up');
    assert.equal(by.servers!.tone, 'good');
    assert.equal(by.open_registration!.tone, 'neutral', 'more open sign-up is neither good nor bad news');
    assert.equal(by.reachable!.trend, 'flat');
    assert.equal(by.open_registration!.value, '10%');
    assert.equal(by.open_registration!.change, '+5.0 pts since 2026-10-21');
    assert.equal(by.open_registration!.basis, 'of 80 reachable servers');
    assert.equal(by.members!.value, '20K');
  });
  it('colours a falling count of expiring certificates as good news', () => {
    const cards = overviewCards(totals(snap({ tlsExpiring: 2 }), snap({ tlsExpiring: 6 })));
    const c = cards.find((x) => x.key === 'tls_expiring')!;
    assert.deepEqual([c.trend, c.tone], ['down', 'good']);
  });
  it('has no change without a comparison point, and no cards without data', () => {
    const cards = overviewCards(totals(snap({}), null));
    assert.ok(cards.every((c) => c.change === '' && c.trend === 'none'));
    assert.deepEqual(overviewCards(totals(null, null)), []);
  });
  it('says how many servers and when', () => {
    assert.equal(coverageLine(totals(snap({}), null)),
      'As of 2026-11-20: 100 servers probed between 2026-11-20 00:10 UTC and 2026-11-20 03:40 UTC, 80 reachable. No comparison point yet.');
    assert.match(coverageLine(totals(null, null)), /No complete crawl yet/);
  });
});
