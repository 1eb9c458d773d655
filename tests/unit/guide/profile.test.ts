/**
 * The implementation profiles (issue 15 item 4) on entries graded by the
 * guide's own buildEntries from GuideFacts: what each number counts, that an
 * unknown fact leaves the base instead of counting as bad, how unrecognised
 * names and gateways are grouped, and the side-by-side table's cut.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_OFFER, type Protocol } from '../../../crawler/types.ts';
import type { GuideFacts } from '../../../db/queries/guide/guide-facts.ts';
import { MIN_SERVERS_PER_NAME } from '../../../db/queries/software/software-group-sql.ts';
import { buildEntries } from '../../../guide/query.ts';
import { buildProfiles, median, profileTables, summariseUpgrades, type ProtocolProfile } from '../../../guide/profile.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const iso = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString();
let n = 0;

/** A healthy, fully measured server; `over` changes what a case is about. */
function facts(over: Partial<GuideFacts> = {}): GuideFacts {
  n += 1;
  return {
    protocol: 'matrix', domain: `s${n}.test`, status: 'ok', observedAt: iso(0), lastOkAt: iso(0), firstSeenAt: iso(200),
    software: 'synapse', version: '1.140.0', supersededOn: null, latestVersion: '1.140.0', registration: 'closed',
    features: ['org.matrix.msc3575'], tlsValid: true, tlsExpiresAt: iso(-60), ipv4: true, ipv6: true, dnssec: null, dane: null,
    publicRooms: 1, publicMembers: 10, uploadMaxBytes: null, offer: UNKNOWN_OFFER,
    uptime30: { ok: 700, probes: 700, days: 30 }, uptime90: { ok: 2100, probes: 2100, days: 90 }, adminNote: null,
    measuredAt: { liveness: iso(0), setup: iso(0) },
    ...over,
  };
}

const uptime = (ratio: number, days = 30) => ({ ok: Math.round(ratio * 1000), probes: 1000, days });
const build = (fs: GuideFacts[], o: Parameters<typeof buildProfiles>[1] = {}) => buildProfiles(buildEntries(fs, NOW), o);
const of = (ps: ProtocolProfile[], protocol: Protocol) => ps.find((p) => p.protocol === protocol)!;
const row = (ps: ProtocolProfile[], protocol: Protocol, software: string) => {
  const p = of(ps, protocol);
  return [...p.implementations, ...p.others].find((r) => r.software === software)!;
};

describe('median', () => {
  it('takes the middle value, the mean of the two middle ones for an even count, null for none', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });
});

describe('buildProfiles', () => {
  it('takes uptime over reachable servers with 7+ days measured, and says how many', () => {
    const ps = build([
      facts({ uptime30: uptime(0.9) }), facts({ uptime30: uptime(0.99) }), facts({ uptime30: uptime(1) }),
      facts({ uptime30: uptime(0.2, 6) }), // measured 6 days: not known yet
      facts({ status: 'unreachable', uptime30: uptime(0.1) }), // down at its latest probe: not in the base
    ]);
    const s = row(ps, 'matrix', 'synapse');
    assert.equal(s.servers, 5);
    assert.equal(s.reachable, 4);
    assert.deepEqual(s.uptime30, { median: 0.99, known: 3 });
  });

  it('leaves unknown TLS and versions out of the base instead of counting them as bad', () => {
    const known = [
      facts({ tlsValid: true }), facts({ tlsValid: false, version: '1.100.0', supersededOn: '2026-06-04', latestVersion: '1.140.0' }),
      facts({ version: '1.139.0', supersededOn: '2026-11-21', latestVersion: '1.140.0' }),
    ];
    const before = row(build(known), 'matrix', 'synapse');
    const after = row(build([...known, facts({ tlsValid: null, tlsExpiresAt: null, version: '', uptime30: uptime(0, 2) })]), 'matrix', 'synapse');
    assert.deepEqual(before.tlsValid, { count: 2, of: 3 });
    assert.deepEqual(before.current, { count: 1, of: 3 });
    assert.deepEqual(before.behindDays, { median: 10, known: 3 });
    // One more server with nothing known: every base and number the same, only the counts of servers grow.
    assert.deepEqual([after.tlsValid, after.current, after.behindDays, after.uptime30], [before.tlsValid, before.current, before.behindDays, before.uptime30]);
    assert.equal(after.reachable, before.reachable + 1);
  });

  it('counts sign-up classes over every reachable server and ways over open and invite ones', () => {
    const ps = build([
      facts({ registration: 'open' }), facts({ registration: 'email' }), facts({ registration: 'token' }),
      facts({ registration: 'closed' }), facts({ registration: 'unknown' }),
      facts({ registration: 'open', status: 'error' }),
    ]);
    const s = row(ps, 'matrix', 'synapse');
    assert.deepEqual(s.signup, { open: 2, invite: 1, closed: 1, unknown: 1 });
    assert.equal(Object.values(s.signup).reduce((a, b) => a + b, 0), s.reachable);
    assert.deepEqual(Object.entries(s.ways).filter(([, v]) => v > 0), [['in-band', 1], ['email', 1], ['token', 1]]);
  });

  it('counts grades of reachable servers', () => {
    const ps = build([facts(), facts({ tlsValid: false }), facts({ tlsValid: false, status: 'unreachable' })]);
    assert.deepEqual(row(ps, 'matrix', 'synapse').grades, { A: 1, B: 0, C: 1 });
  });

  it('lists each group\'s own most advertised features and the protocol\'s columns, over servers with features known', () => {
    const ps = build([
      facts({ features: ['a', 'b', 'a'] }), facts({ features: ['a'] }), facts({ features: [] }),
      facts({ software: 'dendrite', features: ['c', 'b'] }), facts({ software: 'dendrite', features: ['c'] }), facts({ software: 'dendrite', features: ['c'] }),
    ], { topFeatures: 1, featureColumns: 2 });
    const m = of(ps, 'matrix');
    assert.deepEqual(m.featureColumns, ['c', 'a']);
    const s = row(ps, 'matrix', 'synapse');
    assert.equal(s.featuresKnown, 2);
    // Its own top one (a, counted once per server), and the protocol's columns it lacks (c: none).
    assert.deepEqual(s.features, [{ feature: 'a', servers: 2 }, { feature: 'c', servers: 0 }]);
    assert.deepEqual(row(ps, 'matrix', 'dendrite').features, [{ feature: 'c', servers: 3 }, { feature: 'a', servers: 0 }]);
  });

  it('groups unrecognised names as the software pages do, and keeps unknown apart', () => {
    const shared = Array.from({ length: MIN_SERVERS_PER_NAME }, () => facts({ protocol: 'xmpp', software: 'unrecognised:hungry server' }));
    const ps = build([
      ...shared,
      facts({ protocol: 'xmpp', software: 'unrecognised:rare one' }), facts({ protocol: 'xmpp', software: 'unrecognised' }),
      facts({ protocol: 'xmpp', software: 'Legacy <b>Name' }), // stored before the key contract: not a plain word
      facts({ protocol: 'xmpp', software: 'unknown' }), facts({ protocol: 'xmpp', software: 'prosody' }),
    ]);
    const x = of(ps, 'xmpp');
    assert.deepEqual(x.implementations.map((r) => [r.software, r.servers]), [['unrecognised:hungry server', MIN_SERVERS_PER_NAME], ['unrecognised', 3], ['prosody', 1], ['unknown', 1]]);
    assert.equal(x.overall.servers, MIN_SERVERS_PER_NAME + 5);
  });

  it('counts an unrecognised name\'s servers per protocol', () => {
    // Enough servers in all, but not in either protocol: unrecognised in both.
    const half = Math.ceil(MIN_SERVERS_PER_NAME / 2);
    const ps = build((['xmpp', 'matrix'] as const).flatMap((protocol) => Array.from({ length: half }, () => facts({ protocol, software: 'unrecognised:split' }))));
    assert.deepEqual(ps.map((p) => p.implementations.map((r) => [r.software, r.servers])), [[['unrecognised', half]], [['unrecognised', half]]]);
  });

  it('profiles gateways and directories apart from the implementations and the overall row', () => {
    const ps = build([facts({ software: 'ejabberd' }), facts({ software: 'mrs' }), facts(), facts({ protocol: 'xmpp', software: 'ejabberd' })]);
    const m = of(ps, 'matrix');
    assert.deepEqual(m.implementations.map((r) => r.software), ['synapse']);
    assert.deepEqual(m.others.map((r) => [r.software, r.role]), [['ejabberd', 'gateway'], ['mrs', 'directory']]);
    assert.equal(m.overall.servers, 1);
    assert.deepEqual(of(ps, 'xmpp').implementations.map((r) => [r.software, r.role]), [['ejabberd', 'server']]);
  });

  it('takes upgrade speed from the given release summaries, none for the overall row', () => {
    const asked: string[] = [];
    const ps = build([facts(), facts({ software: 'dendrite' })], {
      upgrades: (p, s) => { asked.push(`${p}/${s}`); return s === 'synapse' ? summariseUpgrades([4, null, 10]) : null; },
    });
    assert.deepEqual(row(ps, 'matrix', 'synapse').upgrade, { releases: 3, reachedHalf: 2, medianDaysToHalf: 7 });
    assert.equal(row(ps, 'matrix', 'dendrite').upgrade, null);
    assert.equal(of(ps, 'matrix').overall.upgrade, null);
    assert.deepEqual(asked.sort(), ['matrix/dendrite', 'matrix/synapse']);
  });

  it('leaves out a protocol with no server', () => {
    assert.deepEqual(build([facts()]).map((p) => p.protocol), ['matrix']);
    assert.deepEqual(buildProfiles([]), []);
  });
});

describe('summariseUpgrades', () => {
  it('is null with no release and counts releases not yet at half', () => {
    assert.equal(summariseUpgrades([]), null);
    assert.deepEqual(summariseUpgrades([null, null]), { releases: 2, reachedHalf: 0, medianDaysToHalf: null });
  });
});

describe('profileTables', () => {
  const ps = build([
    ...['a', 'b', 'c'].flatMap((s, i) => Array.from({ length: 3 - i }, () => facts({ software: s }))),
    facts({ software: 'd' }), facts({ software: 'ejabberd' }),
  ]);
  it('cuts to the limit, keeping the focus and counting what was left out', () => {
    const [t] = profileTables(ps, 'd', 2);
    assert.deepEqual(t!.rows.map((r) => r.software), ['a', 'd']);
    assert.equal(t!.omitted, 2);
    assert.deepEqual(profileTables(ps, 'a', 2)[0]!.rows.map((r) => r.software), ['a', 'b']);
  });
  it('puts a gateway focus after the implementations, and has no table where the software has no server', () => {
    const [t] = profileTables(ps, 'ejabberd', 10);
    assert.deepEqual(t!.rows.map((r) => r.software), ['a', 'b', 'c', 'd', 'ejabberd']);
    assert.equal(t!.omitted, 0);
    assert.deepEqual(profileTables(ps, 'prosody'), []);
  });
});
