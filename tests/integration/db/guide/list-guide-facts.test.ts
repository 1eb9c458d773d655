/**
 * The guide's read (db/queries/guide/list-guide-facts.ts) over a real store
 * filled by the real writer (insertProbeResults, insertRegistration,
 * insertOptOut): 100 days of probes ending at an injected `now`, so every
 * window, day count and first day is known exactly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeResult, RegistrationMode, ServerOffer } from '../../../../crawler/types.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { insertRegistration } from '../../../../db/queries/registrations/insert-registration.ts';
import { insertOptOut } from '../../../../db/queries/registrations/insert-opt-out.ts';
import { listGuideFacts } from '../../../../db/queries/guide/list-guide-facts.ts';
import type { GuideFacts } from '../../../../db/queries/guide/guide-facts.ts';
import { serverSnapshotRow } from '../../../../db/rows.ts';
import { openTestStore, type TestStore } from '../../../harness/store.ts';
import { result, snap } from '../queries/store.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
/** `d` days before NOW's day, at `hour` UTC. */
const ago = (d: number, hour = 10) => new Date(Date.UTC(2026, 11, 7 - d, hour)).toISOString();
const day = (d: number) => ago(d).slice(0, 10);

const PROVIDER_OFFER: ServerOffer = {
  provider: {
    legalNotice: 'https://provider.test/legal', website: 'https://provider.test', organization: 'Provider e.V.',
    freeOfCharge: true, professionalHosting: false, since: '2019-03-01', serverLocations: ['de'], busFactor: 2,
    inBandRegistration: true, registrationWebPage: null, passwordReset: 'https://provider.test/reset', maxUploadBytes: 104857600,
  },
  support: null,
  contacts: { admin: ['xmpp:admin@provider.test'], abuse: ['mailto:abuse@provider.test'] },
};
const SUPPORT_OFFER: ServerOffer = {
  provider: null,
  support: { contacts: [{ role: 'm.role.admin', matrixId: '@admin:support.test', email: 'admin@support.test' }], supportPage: 'https://support.test/help' },
  contacts: null,
};

describe('listGuideFacts', () => {
  let store: TestStore;
  let facts: GuideFacts[];
  const find = (domain: string, protocol = 'xmpp') => facts.find((f) => f.domain === domain && f.protocol === protocol);

  before(async () => {
    store = await openTestStore();
    const { db } = store;
    // Probes grouped by day and written one day at a time, oldest first, as passes would.
    const byDay = new Map<number, ProbeResult[]>();
    const add = (d: number, r: ProbeResult) => byDay.set(d, [...(byDay.get(d) ?? []), r]);

    // up.test: probed daily for 100 days, down on days 3 and 40 ago, probed twice on day 1 ago.
    for (let d = 99; d >= 0; d--) {
      const down = d === 3 || d === 40;
      add(d, result(snap('up.test', 'xmpp', ago(d), down ? { status: 'unreachable', software: 'unknown', version: '', versionRaw: '', tls: null, error: 'connect ETIMEDOUT' } : { version: '1.9.0', versionRaw: '1.9.0' })));
    }
    add(1, result(snap('up.test', 'xmpp', ago(1, 11), { version: '1.9.0', versionRaw: '1.9.0' })));

    // Versions of prosody on XMPP: 1.2.0 (from 80 days ago), 1.9.0 (up.test, from 99 days ago), 1.10.0 from 20 days ago.
    for (let d = 80; d >= 0; d -= 10) add(d, result(snap('old.test', 'xmpp', ago(d), { version: '1.2.0', versionRaw: '1.2.0' })));
    // Daily, so 1.10.0 runs on two servers on one day (with down.test, 2 days ago): a release.
    for (let d = 20; d >= 0; d -= 1) add(d, result(snap('new.test', 'xmpp', ago(d), { version: '1.10.0', versionRaw: '1.10.0' })));
    // A version counts as a release once RELEASE_MIN_SERVERS (2) servers ran it on one day: a second 1.9.0
    // server on up.test's first day (seen only before the 90 days, so not listed), and a lone made-up
    // 99.0.0 that must supersede nothing.
    add(99, result(snap('twin.test', 'xmpp', ago(99), { version: '1.9.0', versionRaw: '1.9.0' })));
    add(95, result(snap('fake.test', 'xmpp', ago(95), { version: '99.0.0', versionRaw: '99.0.0' })));
    // Two servers on 5.0.0, but never on the same day: no release either.
    add(97, result(snap('apart-a.test', 'xmpp', ago(97), { version: '5.0.0', versionRaw: '5.0.0' })));
    add(96, result(snap('apart-b.test', 'xmpp', ago(96), { version: '5.0.0', versionRaw: '5.0.0' })));
    // ejabberd runs in both protocols: its Matrix gateway's 26.1.0 must not supersede the XMPP server's 24.0.0.
    add(2, result(snap('ejabberd-x.test', 'xmpp', ago(2), { software: 'ejabberd', version: '24.0.0', versionRaw: '24.0.0' })));
    add(2, result(snap('ejabberd-m.test', 'matrix', ago(2), { software: 'ejabberd', version: '26.1.0', versionRaw: '26.1.0' })));
    // Each ejabberd version on two servers on one day (95 days ago; the second ones are not listed).
    for (const [domain, protocol, version] of [['ejabberd-x', 'xmpp', '24.0.0'], ['ejabberd-m', 'matrix', '26.1.0']] as const) {
      add(95, result(snap(`${domain}.test`, protocol, ago(95), { software: 'ejabberd', version, versionRaw: version })));
      add(95, result(snap(`${domain}2.test`, protocol, ago(95), { software: 'ejabberd', version, versionRaw: version })));
    }

    // down.test: up with its facts until 2 days ago, unreachable since.
    add(2, result(snap('down.test', 'xmpp', ago(2), { registration: 'open', features: ['urn:xmpp:mam:2', 'register'], version: '1.10.0', versionRaw: '1.10.0', ipv6: true, dnssec: true })));
    add(1, result(snap('down.test', 'xmpp', ago(1), { status: 'unreachable', software: 'unknown', version: '', versionRaw: '', registration: 'unknown', features: [], tls: null, error: 'connect ETIMEDOUT' })));
    add(0, result(snap('down.test', 'xmpp', ago(0), { status: 'unreachable', software: 'unknown', version: '', versionRaw: '', registration: 'unknown', features: [], tls: null, error: 'connect ETIMEDOUT' })));

    // Not listable: hidden by its verified admin, opted out by DNS, opted out at its latest probe,
    // no sign of the protocol now, and up only before the 90 days.
    for (const domain of ['hidden.test', 'pending.test', 'dnsoptout.test', 'optstatus.test', 'notxmpp.test', 'gone.test']) {
      add(5, result(snap(domain, 'xmpp', ago(5))));
    }
    add(0, result(snap('optstatus.test', 'xmpp', ago(0), { status: 'opted-out', software: 'unknown', version: '', versionRaw: '', tls: null })));
    add(0, result(snap('notxmpp.test', 'xmpp', ago(0), { status: 'not-a-server', software: 'unknown', version: '', versionRaw: '', tls: null })));
    byDay.set(5, byDay.get(5)!.filter((r) => r.snapshot.domain !== 'gone.test'));
    add(95, result(snap('gone.test', 'xmpp', ago(95))));
    for (let d = 89; d >= 0; d -= 7) add(d, result(snap('gone.test', 'xmpp', ago(d), { status: 'unreachable', software: 'unknown', version: '', versionRaw: '', tls: null, error: 'x' })));

    // What a server says of itself, the upload limit, a registration mode this reader does not know, and the kinds measured.
    add(1, result(snap('provider.test', 'xmpp', ago(1), { offer: PROVIDER_OFFER, uploadMaxBytes: 104857600, registration: 'pow' as RegistrationMode, measured: ['liveness', 'setup'] })));
    add(1, result(snap('support.test', 'matrix', ago(1), { offer: SUPPORT_OFFER, dnssec: true, measured: ['liveness', 'setup', 'rooms', 'register'] })));

    for (const d of [...byDay.keys()].sort((a, b) => b - a)) await insertProbeResults(db, byDay.get(d)!);

    // A row written before migration 0017 (and 0015): the writer's row without the new columns, so
    // offer '', upload_max NULL, measured_at {} and measured [] (every kind measured then).
    const { offer: _o, upload_max: _u, measured_at: _m, ...old } = serverSnapshotRow(snap('legacy.test', 'matrix', ago(4)));
    await db.client.insert({ table: 'server_snapshots', values: [{ ...old, measured: [] }], format: 'JSONEachRow' });

    const reg = (domain: string, state: 'verified' | 'pending') => insertRegistration(db, {
      id: crypto.randomUUID(), domain, protocol: 'xmpp', state, method: 'dns-txt', token: 't',
      createdAt: new Date(ago(6)), expiresAt: new Date(ago(-30)), verifiedAt: state === 'verified' ? new Date(ago(6)) : null,
      updatedAt: new Date(ago(6)), description: '', contact: '', hidden: true, hiddenRooms: [], optOut: false, clientKey: '', adminSecretHash: '',
    });
    // An admin's context: the description of a verified registration (a pending one's is not shown).
    const note = (domain: string, state: 'verified' | 'pending', description: string) => insertRegistration(db, {
      id: crypto.randomUUID(), domain, protocol: 'xmpp', state, method: 'dns-txt', token: 't',
      createdAt: new Date(ago(6)), expiresAt: new Date(ago(-30)), verifiedAt: state === 'verified' ? new Date(ago(6)) : null,
      updatedAt: new Date(ago(6)), description, contact: '', hidden: false, hiddenRooms: [], optOut: false, clientKey: '', adminSecretHash: '',
    });
    await note('up.test', 'verified', 'Run by a co-op since 2019; <b>not</b> HTML');
    await note('new.test', 'pending', 'Words not yet proven');
    await reg('hidden.test', 'verified');
    await reg('pending.test', 'pending');
    await insertOptOut(db, { domain: 'dnsoptout.test', source: 'dns-txt', active: true, observedAt: new Date(ago(1)) });

    facts = await listGuideFacts(db, { now: NOW });
  });

  after(async () => { await store.cleanup(); });

  it('lists exactly the visible servers that run the protocol and were up within 90 days', () => {
    assert.deepEqual(facts.map((f) => `${f.protocol}:${f.domain}`).sort(), [
      'matrix:ejabberd-m.test', 'matrix:legacy.test', 'matrix:support.test',
      'xmpp:down.test', 'xmpp:ejabberd-x.test', 'xmpp:new.test', 'xmpp:old.test', 'xmpp:pending.test', 'xmpp:provider.test', 'xmpp:up.test',
    ]);
  });

  it('counts probes, good probes and days over the last 30 and 90 days, and the first probe', () => {
    const up = find('up.test')!;
    // 30 days: days 0-29 ago, day 1 probed twice, day 3 down. 90 days: days 0-89, days 3 and 40 down.
    assert.deepEqual(up.uptime30, { ok: 30, probes: 31, days: 30 });
    assert.deepEqual(up.uptime90, { ok: 89, probes: 91, days: 90 });
    assert.equal(up.firstSeenAt, ago(99));
    assert.equal(find('down.test')!.firstSeenAt, ago(2));
    assert.equal(up.observedAt, ago(0));
    assert.equal(up.status, 'ok');
    // Probed every 10 days from 80 days ago: 3 of them in 30 days, 9 in 90.
    assert.deepEqual(find('old.test')!.uptime30, { ok: 3, probes: 3, days: 3 });
    assert.deepEqual(find('old.test')!.uptime90, { ok: 9, probes: 9, days: 9 });
  });

  it('dates a version superseded on the first day the network showed a newer one, numerically', () => {
    const up = find('up.test')!;
    assert.equal(up.version, '1.9.0');
    assert.equal(up.supersededOn, day(20), '1.10.0 is newer than 1.9.0');
    assert.equal(up.latestVersion, '1.10.0');
    const old = find('old.test')!;
    assert.equal(old.supersededOn, day(99), '1.9.0 was already there when 1.2.0 first showed');
    const newest = find('new.test')!;
    assert.equal(newest.supersededOn, null);
    assert.equal(newest.latestVersion, '1.10.0', 'a version one server alone reported (99.0.0), or two on different days (5.0.0), is no release');
    assert.equal(find('fake.test'), undefined, 'not up in the 90 days: not listed');
  });

  it('compares versions within the protocol', () => {
    const x = find('ejabberd-x.test')!;
    assert.equal(x.supersededOn, null);
    assert.equal(x.latestVersion, '24.0.0');
    assert.equal(find('ejabberd-m.test', 'matrix')!.latestVersion, '26.1.0');
  });

  it('reads release data as of now', async () => {
    // 25 days ago 1.10.0 had not shown yet.
    const earlier = await listGuideFacts(store.db, { now: new Date(`${day(25)}T12:00:00Z`) });
    const up = earlier.find((f) => f.domain === 'up.test')!;
    assert.equal(up.supersededOn, null);
    assert.equal(up.latestVersion, '1.9.0');
  });

  it('carries the verified admin\'s own words, and nothing from a registration not yet verified', () => {
    assert.equal(find('up.test')!.adminNote, 'Run by a co-op since 2019; <b>not</b> HTML');
    assert.equal(find('new.test')!.adminNote, null);
    assert.equal(find('old.test')!.adminNote, null);
  });

  it('shows a server down now with the facts of its last good probe', () => {
    const down = find('down.test')!;
    assert.equal(down.status, 'unreachable');
    assert.equal(down.observedAt, ago(0));
    assert.equal(down.lastOkAt, ago(2));
    assert.equal(down.software, 'prosody');
    assert.equal(down.version, '1.10.0');
    assert.equal(down.registration, 'open');
    assert.deepEqual(down.features, ['urn:xmpp:mam:2', 'register']);
    assert.equal(down.ipv6, true);
    assert.equal(down.dnssec, true);
    assert.equal(down.tlsValid, true);
    assert.equal(down.tlsExpiresAt, new Date(Date.parse(ago(2)) + 60 * 86_400_000).toISOString().replace('.000Z', 'Z'));
    assert.deepEqual(down.uptime30, { ok: 1, probes: 3, days: 3 });
    assert.deepEqual(down.measuredAt, { liveness: ago(2), setup: ago(2), rooms: ago(2), register: ago(2) });
  });

  it('round-trips what a server says of itself and its upload limit', () => {
    const p = find('provider.test')!;
    assert.deepEqual(p.offer, PROVIDER_OFFER);
    assert.equal(p.uploadMaxBytes, 104857600);
    assert.equal(p.registration, 'unknown', 'a mode this reader does not know is unknown');
    const s = find('support.test', 'matrix')!;
    assert.deepEqual(s.offer, SUPPORT_OFFER);
    assert.equal(s.uploadMaxBytes, null);
    assert.equal(s.dnssec, null, 'DNSSEC is an XMPP fact in the guide');
    assert.deepEqual(find('up.test')!.offer, { provider: null, support: null, contacts: null });
  });

  it('says when each kind was measured, and falls back to the probe time for rows from before the column', () => {
    assert.deepEqual(find('provider.test')!.measuredAt, { liveness: ago(1), setup: ago(1) });
    assert.deepEqual(find('support.test', 'matrix')!.measuredAt, { liveness: ago(1), setup: ago(1), rooms: ago(1), register: ago(1) });
    const legacy = find('legacy.test', 'matrix')!;
    assert.deepEqual(legacy.measuredAt, { liveness: ago(4), setup: ago(4), rooms: ago(4), register: ago(4) });
    assert.deepEqual(legacy.offer, { provider: null, support: null, contacts: null });
    assert.equal(legacy.uploadMaxBytes, null);
  });
});
