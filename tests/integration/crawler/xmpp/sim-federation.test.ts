/**
 * The XMPP half of the simulated federation (sim/sim-xmpp.ts), on
 * 127.32/16, probed through probeXmpp with the observer account of
 * `observer.test`:
 * - the templates the simulation answers with reproduce the bytes captured
 *   from real Prosody 0.12.3 and ejabberd 23.01 (tests/fixtures), exactly;
 * - each domain comes out with the software, version, registration, TLS state
 *   and rooms it was given, hidden / members-only / password rooms never listed;
 * - without the observer, or with a wrong password, nothing is guessed;
 * - the guide's columns (issue 15), written through insertProbeResults into a real
 *   chdb store and read back with parseServerOffer: the provider file's statements
 *   (kilo.test), 'absent' on its 404 (lima.test), the contact addresses, the upload
 *   limit, and Snikket's invitation-only sign-up (mike.test).
 */
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { probeXmpp } from '../../../../crawler/probe/xmpp.ts';
import { DEFAULT_OBSERVER_LIMITS } from '../../../../crawler/probe/xmpp-observer.ts';
import { parseServerOffer, type ProbeResult } from '../../../../crawler/types.ts';
import { providerStatements } from '../../../../crawler/protocol/xmpp-provider-file.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { openTestStore, rows, type TestStore } from '../../../harness/store.ts';
import { startSimFederation, type SimFederation } from '../../../../sim/sim-federation.ts';
import { fixture, KILO_PROVIDER_FILE, simXmppDomains, XMPP_XSS_ROOM_NAME } from '../../../../sim/sim-xmpp.ts';
import { domainInfo, domainItems, iqResult, roomItems, versionQuery, type SimRoom } from '../../../../sim/sim-xmpp-replies.ts';
import { mucServiceInfo, roomInfo } from '../../../../sim/sim-xmpp-muc.ts';

let sim: SimFederation;
let ctx: NetContext;
const results = new Map<string, ProbeResult>();

const envOf = (extra: Record<string, string> = {}): Record<string, string> => ({ ...sim.crawlEnv, CHATLAS_DENY_NETS: '127.66.0.0/16', ...extra });

before(async () => {
  sim = await startSimFederation({ prefix: '127.32' });
  ctx = createNetContext(loadCrawlConfig({ env: envOf() }, { extraCaPems: [sim.caPem] }));
  for (const d of sim.xmppDomains) results.set(d, await probeXmpp(ctx, d, { passId: 'sim', skipHttp: true }));
});

after(async () => {
  await ctx?.close();
  await sim?.close();
});

const step = (r: ProbeResult | undefined, name: string) => r?.observations.filter((o) => o.step === name) ?? [];
const get = (d: string): ProbeResult => {
  const r = results.get(d);
  assert.ok(r, `no result for ${d}`);
  return r;
};

// ------------------------------------------------------------ templates = captured bytes

const room = (local: string, name: string, extra: Partial<SimRoom>): SimRoom => ({
  local, name, description: '', occupants: 0, lang: 'en', public: true, persistent: true, open: true, password: false, ...extra,
});
const P = { from: (f: string) => f, to: 'observer@prosody.test/Chatlas' };
const E = { to: 'observer@ejabberd.test/Chatlas' };
const fx = (p: string): string => fixture(p).trimEnd();

const templates: [string, string][] = [
  ['xep0030-disco/prosody-0.12.3-domain-info.input.xml', iqResult('prosody', 'prosody.test', P.to, 'q1', domainInfo('prosody', { abuse: ['xmpp:abuse@prosody.test'], admin: ['mailto:admin@prosody.test', 'xmpp:admin@prosody.test'] }))],
  ['xep0030-disco/ejabberd-23.01-domain-info.input.xml', iqResult('ejabberd', 'ejabberd.test', E.to, 'q1', domainInfo('ejabberd', { abuse: ['xmpp:abuse@ejabberd.test'] }))],
  ['xep0030-disco/prosody-0.12.3-domain-items.input.xml', iqResult('prosody', 'prosody.test', P.to, 'q2', domainItems('prosody', ['rooms.prosody.test']))],
  ['xep0030-disco/ejabberd-23.01-domain-items.input.xml', iqResult('ejabberd', 'ejabberd.test', E.to, 'q2', domainItems('ejabberd', ['conference.ejabberd.test']))],
  ['xep0092-version/prosody-0.12.3.input.xml', iqResult('prosody', 'prosody.test', P.to, 'q3', versionQuery('prosody', 'Prosody', '0.12.3', 'Linux'))],
  ['xep0092-version/ejabberd-23.01.input.xml', iqResult('ejabberd', 'ejabberd.test', E.to, 'q3', versionQuery('ejabberd', 'ejabberd', '23.01-1', 'unix/linux 6.18.44'))],
  ['xep0030-disco/prosody-0.12.3-muc-service-info.input.xml', iqResult('prosody', 'rooms.prosody.test', P.to, 'q4', mucServiceInfo('prosody', { abuse: ['xmpp:abuse@prosody.test'], admin: ['mailto:admin@prosody.test', 'xmpp:admin@prosody.test'] }))],
  ['xep0030-disco/ejabberd-23.01-muc-service-info.input.xml', iqResult('ejabberd', 'conference.ejabberd.test', E.to, 'q4', mucServiceInfo('ejabberd', { abuse: ['xmpp:abuse@ejabberd.test'] }))],
  ['xep0030-disco/prosody-0.12.3-muc-service-items.input.xml', iqResult('prosody', 'rooms.prosody.test', P.to, 'q5', roomItems('prosody', 'rooms.prosody.test', [room('secret', 'Secret', {}), room('members', 'Members', {}), room('lobby', 'Lobby', {})], null))],
  ['xep0030-disco/ejabberd-23.01-muc-service-items.input.xml', iqResult('ejabberd', 'conference.ejabberd.test', E.to, 'q5', roomItems('ejabberd', 'conference.ejabberd.test', [room('general', 'General', {}), room('members', 'members', {}), room('secret', '', {})], null))],
  ['xep0045-muc/prosody-0.12.3-room-public.input.xml', iqResult('prosody', 'lobby@rooms.prosody.test', P.to, 'q6', roomInfo('prosody', room('lobby', 'Lobby', { description: 'Public test room' })))],
  ['xep0045-muc/prosody-0.12.3-room-password.input.xml', iqResult('prosody', 'secret@rooms.prosody.test', P.to, 'q7', roomInfo('prosody', room('secret', 'Secret', { lang: '', password: true })))],
  ['xep0045-muc/ejabberd-23.01-room-public.input.xml', iqResult('ejabberd', 'general@conference.ejabberd.test', E.to, 'q6', roomInfo('ejabberd', room('general', 'General', { description: 'Public test room' })))],
  ['xep0045-muc/ejabberd-23.01-room-password.input.xml', iqResult('ejabberd', 'secret@conference.ejabberd.test', E.to, 'q7', roomInfo('ejabberd', room('secret', '', { password: true })))],
];
for (const [file, rendered] of templates) {
  test(`simulation template reproduces the captured ${file}`, () => {
    assert.equal(rendered, fx(file));
  });
}

// ------------------------------------------------------------ probes with the observer

test('the observer logged in on observer.test (SASL over STARTTLS, bound resource Chatlas)', () => {
  const login = step(get('kilo.test'), 'xmpp.observer-login')[0];
  assert.equal(login?.outcome, 'ok');
  assert.match(String(login?.facts['jid']), /^observer@observer\.test\/Chatlas$/);
  assert.equal(sim.xmppObserver.jid, 'observer@observer.test');
  assert.equal(sim.crawlEnv['CHATLAS_XMPP_JID'], 'observer@observer.test');
});

const expected: Record<string, { software: string; versionRaw: string; registration: string; rooms: string[] }> = {
  'kilo.test': { software: 'prosody', versionRaw: '0.12.3', registration: 'closed', rooms: ['Kilo Lobby', 'Prosody users', XMPP_XSS_ROOM_NAME] },
  'lima.test': { software: 'ejabberd', versionRaw: '23.01-1', registration: 'advertised', rooms: ['General', 'Erlang', 'Deutsch'] },
  // Snikket: invitations only (XEP-0445 stream features, as its mod_invites_register sends them).
  'mike.test': { software: 'snikket', versionRaw: '2024.10', registration: 'invite', rooms: ['Snikket Chat'] },
  'november.test': { software: 'openfire', versionRaw: '4.9.2', registration: 'closed', rooms: ['Support'] },
  'papa.test': { software: 'prosody', versionRaw: '0.12.3', registration: 'closed', rooms: ['Old timers'] },
};
for (const [domain, want] of Object.entries(expected)) {
  test(`${domain}: ${want.software} ${want.versionRaw}, registration ${want.registration}, exactly the public rooms`, () => {
    const r = get(domain);
    assert.equal(r.snapshot.status, 'ok');
    assert.equal(r.snapshot.software, want.software);
    assert.equal(r.snapshot.versionRaw, want.versionRaw);
    assert.equal(step(r, 'xmpp.identify')[0]?.facts['by'], 'version');
    assert.equal(r.snapshot.registration, want.registration);
    assert.deepEqual(r.rooms.map((x) => x.name).sort(), [...want.rooms].sort());
    // Occupants as the simulation was told; every listed room belongs to the domain's MUC service.
    const sim = simXmppDomains().find((d) => d.name === domain);
    for (const listed of r.rooms) {
      const given = sim?.muc?.rooms.find((x) => `${x.local}@${sim.muc?.service}.${domain}` === listed.roomId);
      assert.ok(given, `${listed.roomId} was not a simulated room`);
      assert.equal(listed.members, given.occupants);
      assert.ok(given.public && given.open && given.persistent && !given.password, `${listed.roomId} should not be listed`);
    }
    assert.equal(r.snapshot.publicRooms, want.rooms.length);
  });
}

test('kilo.test: members-only and password rooms examined and counted, never named; upload limit; contacts', () => {
  const r = get('kilo.test');
  const counts = step(r, 'xmpp.room-info')[0]?.facts;
  assert.equal(counts?.['membersOnly'], 1);
  assert.equal(counts?.['passwordProtected'], 1);
  assert.equal(counts?.['listed'], 3);
  const everything = JSON.stringify(r);
  for (const never of ['hidden@conference.kilo.test', 'members@conference.kilo.test', 'secret@conference.kilo.test', 'Hidden Room']) {
    assert.equal(everything.includes(never), false, `${never} must not be recorded`);
  }
  const upload = step(r, 'xmpp.service-info').find((o) => o.facts['kind'] === 'upload');
  assert.equal(upload?.facts['maxFileSize'], 10 * 1024 * 1024);
  assert.deepEqual(step(r, 'xmpp.disco-info')[0]?.facts['contacts'], { abuse: ['xmpp:abuse@kilo.test'], admin: ['mailto:admin@kilo.test', 'xmpp:admin@kilo.test'] });
  const xss = r.rooms.find((x) => x.name === XMPP_XSS_ROOM_NAME);
  assert.equal(xss?.address, 'xss@conference.kilo.test');
});

test('lima.test (ejabberd): the register form was shown (advertised, not open), rooms paged with RSM, names without the "(N)" suffix', async () => {
  const r = get('lima.test');
  assert.equal(step(r, 'xmpp.register-form')[0]?.outcome, 'form');
  const rooms = step(r, 'xmpp.muc-rooms')[0]?.facts;
  assert.equal(rooms?.['rsm'], true);
  // Members-only and password rooms are public, so listed in the items (then refused on their disco#info).
  assert.equal(rooms?.['total'], 5);
  assert.equal(step(r, 'xmpp.room-info')[0]?.facts['membersOnly'], 1);
  assert.equal(step(r, 'xmpp.room-info')[0]?.facts['passwordProtected'], 1);
  // Small pages: the walk follows <last/> through every page and ends with the same rooms.
  const paged = await probeXmpp(ctx, 'lima.test', { passId: 'paged', skipHttp: true, limits: { ...DEFAULT_OBSERVER_LIMITS, pageSize: 2 } });
  // 2 + 2 + 1 rooms, then the empty page after the last one ends the walk.
  assert.equal(step(paged, 'xmpp.muc-rooms')[0]?.facts['pages'], 4);
  assert.deepEqual(paged.rooms.map((x) => x.name).sort(), r.rooms.map((x) => x.name).sort());
  assert.ok(r.rooms.every((x) => !/\(\d+\)$/.test(x.name)));
  assert.equal(r.rooms.find((x) => x.name === 'Deutsch')?.language, 'de');
});

test('mike.test (Snikket): reached over direct TLS first (_xmpps-client, ALPN), upload on share.mike.test', () => {
  const r = get('mike.test');
  assert.equal(r.snapshot.endpoint, 'xmpp.mike.test:5223');
  assert.equal(step(r, 'xmpp.c2s-connect')[0]?.facts['directTls'], true);
  assert.equal(step(r, 'xmpp.service-info').find((o) => o.facts['kind'] === 'upload')?.facts['maxFileSize'], 100 * 1024 * 1024);
});

test('november.test (Openfire): XEP-0232 software form and caps node before authentication', () => {
  const r = get('november.test');
  assert.deepEqual(step(r, 'xmpp.disco-info')[0]?.facts['softwareInfo'], { software: 'Openfire', softwareVersion: '4.9.2', os: 'Java 17.0.13', osVersion: '' });
  const pre = step(r, 'xmpp.c2s-features-pre-tls')[0]?.facts['features'] as { caps?: { node: string } };
  assert.equal(pre.caps?.node, 'https://www.igniterealtime.org/projects/openfire/');
});

test('papa.test: the expired certificate is recorded and reported, the probe goes on', () => {
  const r = get('papa.test');
  assert.equal(r.snapshot.tls?.chainValid, false);
  assert.equal(r.snapshot.tls?.error, 'CERT_HAS_EXPIRED');
  assert.ok(r.snapshot.report.some((i) => i.level === 'warn' && /does not verify/.test(i.message)));
});

test('oscar.test (down): unreachable, and the observer never asks its server about it (no s2s stream answered us)', () => {
  const r = get('oscar.test');
  assert.equal(r.snapshot.status, 'unreachable');
  // The code of the failure that decided the status, for the schedule's error class (issue 12 item 5).
  assert.equal(r.snapshot.failure, 'net.connect-refused');
  assert.equal(r.snapshot.software, 'unknown');
  // No probing by proxy (issue 12 item 3): what its server would dial did not answer Chatlas.
  assert.equal(step(r, 'xmpp.observer-gate')[0]?.outcome, 'refused');
  assert.deepEqual(step(r, 'xmpp.disco-info'), []);
  assert.equal(sim.xmppObserverServer.iqsByDomain.get('oscar.test') ?? 0, 0);
  assert.ok((sim.xmppObserverServer.iqsByDomain.get('kilo.test') ?? 0) > 0, 'the observer does ask about domains that answered');
  assert.deepEqual(r.rooms, []);
});

// ------------------------------------------------------------ without the observer

test('without an observer account: streams only, software from stream heuristics at low confidence, no rooms', async () => {
  const bare = createNetContext(loadCrawlConfig({ env: envOf({ CHATLAS_XMPP_JID: '', CHATLAS_XMPP_PASSWORD: '' }) }, { extraCaPems: [sim.caPem] }));
  try {
    const r = await probeXmpp(bare, 'lima.test', { passId: 'bare', skipHttp: true });
    assert.equal(r.snapshot.status, 'ok');
    assert.equal(step(r, 'xmpp.observer')[0]?.outcome, 'no-account');
    assert.deepEqual([r.snapshot.software, step(r, 'xmpp.identify')[0]?.facts['confidence']], ['ejabberd', 'low']);
    assert.equal(r.snapshot.versionRaw, '');
    assert.equal(r.snapshot.registration, 'advertised');
    assert.deepEqual(r.rooms, []);
  } finally {
    await bare.close();
  }
});

test('a wrong observer password: login refused by SASL, recorded, nothing guessed', async () => {
  const before = sim.xmppObserver.jid;
  const wrong = createNetContext(loadCrawlConfig({ env: envOf({ CHATLAS_XMPP_PASSWORD: 'not-the-password' }) }, { extraCaPems: [sim.caPem] }));
  try {
    const r = await probeXmpp(wrong, 'kilo.test', { passId: 'wrong', skipHttp: true });
    assert.equal(before, 'observer@observer.test');
    assert.equal(step(r, 'xmpp.observer-login')[0]?.outcome, 'xmpp.auth-failed');
    assert.equal(step(r, 'xmpp.observer')[0]?.outcome, 'no-account');
    assert.deepEqual(r.rooms, []);
    assert.equal(r.snapshot.versionRaw, '');
  } finally {
    await wrong.close();
  }
});

// ------------------------------------------------------------ as the crawl loop runs them

test('regression: probes running at the same time on one NetContext (one shared observer session) each get their own answers', async () => {
  const shared = createNetContext(loadCrawlConfig({ env: envOf() }, { extraCaPems: [sim.caPem] }));
  try {
    const domains = Object.keys(expected);
    const all = await Promise.all(domains.map((d) => probeXmpp(shared, d, { passId: 'concurrent', skipHttp: true })));
    for (const [i, r] of all.entries()) {
      const want = expected[domains[i] ?? ''];
      assert.deepEqual([r.snapshot.domain, r.snapshot.software, r.snapshot.versionRaw, r.rooms.map((x) => x.name).sort()], [domains[i], want?.software, want?.versionRaw, [...(want?.rooms ?? [])].sort()]);
    }
  } finally {
    await shared.close();
  }
});

// ------------------------------------------------------------ the guide's columns, through the store

test('the offer, the upload limit and invitation-only sign-up, stored and read back with parseServerOffer', async (t) => {
  let store: TestStore | undefined;
  t.after(async () => store?.cleanup());
  store = await openTestStore();
  // Every kind due, HTTP lookups included: the provider file is asked for.
  const probed = await Promise.all(['kilo.test', 'lima.test', 'mike.test'].map((d) => probeXmpp(ctx, d, { passId: randomUUID() })));
  await insertProbeResults(store.db, probed);
  const stored = await rows<{ domain: string; offer: string; upload_max: number | null; registration: string; measured_at: Record<string, string> }>(store.db,
    'SELECT domain, offer, upload_max, registration, measured_at FROM server_snapshots ORDER BY domain');
  const by = new Map(stored.map((r) => [r.domain, r]));
  const kilo = parseServerOffer(by.get('kilo.test')?.offer ?? '');
  // What the crawler made of the file the server sent, the same statements once stored.
  const parsed = step(probed[0], 'xmpp.provider-file')[0];
  assert.equal(parsed?.outcome, 'ok');
  assert.deepEqual(kilo.provider, providerStatements(JSON.parse(JSON.stringify(KILO_PROVIDER_FILE))));
  assert.deepEqual(kilo.provider, {
    legalNotice: 'https://kilo.test/legal', website: 'https://kilo.test/', organization: 'non-governmental', freeOfCharge: true,
    professionalHosting: false, since: '2016-04-01', serverLocations: ['de'], busFactor: 2, inBandRegistration: null,
    registrationWebPage: null, passwordReset: 'https://kilo.test/reset', maxUploadBytes: null,
  });
  assert.deepEqual(kilo.contacts, { abuse: ['xmpp:abuse@kilo.test'], admin: ['mailto:admin@kilo.test', 'xmpp:admin@kilo.test'] });
  assert.equal(kilo.support, null, 'no Matrix support well-known for XMPP');
  assert.equal(by.get('kilo.test')?.upload_max, 10 * 1024 * 1024);
  // lima.test answers 404 for the provider file: absent, which is not unknown.
  const lima = parseServerOffer(by.get('lima.test')?.offer ?? '');
  assert.equal(step(probed[1], 'xmpp.provider-file')[0]?.outcome, 'absent');
  assert.deepEqual(lima, { provider: 'absent', support: null, contacts: { abuse: ['xmpp:abuse@lima.test'] } });
  assert.equal(by.get('lima.test')?.upload_max, null, 'no upload service: not known');
  // mike.test has no web server at its name: the provider file is unknown, not absent.
  assert.equal(parseServerOffer(by.get('mike.test')?.offer ?? '').provider, null);
  assert.equal(by.get('mike.test')?.upload_max, 100 * 1024 * 1024);
  assert.equal(by.get('mike.test')?.registration, 'invite');
  assert.ok(probed[2]?.snapshot.report.some((i) => i.level === 'info' && i.message.includes('{urn:xmpp:ibr-token:0}register')), 'the report says which feature showed it');
  // When each kind was measured: kilo.test advertises no registration, so no form was asked (no `register`).
  assert.deepEqual(Object.keys(by.get('kilo.test')?.measured_at ?? {}).sort(), ['liveness', 'rooms', 'setup']);
  assert.deepEqual(Object.keys(by.get('lima.test')?.measured_at ?? {}).sort(), ['liveness', 'register', 'rooms', 'setup']);
});
