/**
 * The profile tables' cells (site/lib/profile-view.ts): every number with
 * what it counts, "unknown" (never 0% or "bad") where nothing is measured,
 * the focus and the overall row, on profiles built by guide/profile.ts from
 * entries graded by guide/query.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_OFFER } from '../../../crawler/types.ts';
import type { GuideFacts } from '../../../db/queries/guide/guide-facts.ts';
import { buildEntries } from '../../../guide/query.ts';
import { buildProfiles, profileTables, protocolTable, summariseUpgrades } from '../../../guide/profile.ts';
import { percent, profileTableView } from '../../../site/lib/profile-view.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
let n = 0;
function facts(over: Partial<GuideFacts> = {}): GuideFacts {
  n += 1;
  return {
    protocol: 'xmpp', domain: `x${n}.test`, status: 'ok', observedAt: NOW.toISOString(), lastOkAt: NOW.toISOString(), firstSeenAt: '2026-01-01T00:00:00Z',
    software: 'prosody', version: '13.0.2', supersededOn: null, latestVersion: '13.0.2', registration: 'advertised',
    features: ['urn:xmpp:mam:2'], tlsValid: true, tlsExpiresAt: '2027-02-01T00:00:00Z', ipv4: true, ipv6: true, dnssec: true, dane: false,
    publicRooms: 0, publicMembers: 0, uploadMaxBytes: null, offer: UNKNOWN_OFFER,
    uptime30: { ok: 995, probes: 1000, days: 30 }, uptime90: { ok: 995, probes: 1000, days: 90 }, adminNote: null, measuredAt: {},
    ...over,
  };
}

const profiles = buildProfiles(buildEntries([
  facts(), facts({ uptime30: { ok: 900, probes: 1000, days: 30 } }),
  facts({ software: 'ejabberd', version: '', uptime30: { ok: 3, probes: 3, days: 1 }, tlsValid: null, tlsExpiresAt: null, registration: 'unknown', features: [] }),
], NOW), { upgrades: (_p, s) => (s === 'prosody' ? summariseUpgrades([3, 9, null]) : null) });

describe('profileTableView', () => {
  const [t] = profileTables(profiles, 'ejabberd').map(profileTableView);
  const prosody = t!.rows.find((r) => r.software === 'prosody')!;
  const ejabberd = t!.rows.find((r) => r.software === 'ejabberd')!;

  it('says what each number counts', () => {
    assert.equal(t!.title, 'XMPP servers');
    assert.deepEqual(prosody.uptime, { value: '95%', note: 'median of 2 servers with 7+ days measured', unknown: false });
    assert.equal(prosody.tls.value, '100%');
    assert.equal(prosody.tls.note, '2 of 2 with TLS observed');
    assert.equal(prosody.upgrade.value, '6 days');
    assert.match(prosody.upgrade.note, /median of 2 of 3 recent releases/);
    assert.equal(prosody.servers.value, '2');
    assert.equal(prosody.servers.note, 'of 2 servers');
  });

  it('shows unknown where nothing is measured, never a number', () => {
    for (const c of [ejabberd.uptime, ejabberd.tls, ejabberd.current, ejabberd.behind, ejabberd.upgrade, ...ejabberd.features]) {
      assert.equal(c.value, 'unknown');
      assert.equal(c.unknown, true);
    }
    assert.equal(ejabberd.uptime.note, 'no server up measured 7+ days yet');
    // Sign-up not known is a share of its own, so the four shares add up.
    assert.deepEqual(ejabberd.signup.map((c) => c.value), ['0%', '0%', '0%', '100%']);
  });

  it('marks the focus and ends with the protocol overall', () => {
    assert.deepEqual(t!.rows.map((r) => [r.software, r.focus]), [['prosody', false], ['ejabberd', true]]);
    assert.equal(t!.overall.name, 'All XMPP servers');
    assert.equal(t!.overall.href, null);
    assert.equal(t!.overall.servers.note, 'of 3 servers');
    assert.deepEqual([t!.overall.featuresBase.value, t!.overall.featuresBase.note], ['2', 'of 3 servers up']);
    assert.equal(t!.omitted, '');
  });

  it('has no focus in the comparison table and counts what the limit left out', () => {
    const v = profileTableView(protocolTable(profiles[0]!, 1));
    assert.deepEqual(v.rows.map((r) => [r.software, r.focus]), [['prosody', false]]);
    assert.equal(v.omitted, '1 more implementation with fewer servers up not shown.');
  });
});

describe('percent', () => {
  it('keeps a decimal where it matters', () => {
    assert.deepEqual([percent(0), percent(0.052), percent(0.5), percent(0.9951), percent(1)], ['0%', '5.2%', '50%', '99.5%', '100%']);
  });
});
