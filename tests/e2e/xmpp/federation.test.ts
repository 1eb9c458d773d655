/**
 * End to end: REAL Prosody and ejabberd from Debian, each on its own
 * 127.31.x address, resolving through our DNS server, federating over s2s.
 * Rooms: public, hidden, members-only and password-protected on both; the
 * public ones have occupants. The crawler logs in as an observer on Prosody
 * and probes both domains (ejabberd over s2s through Prosody).
 * Rooms that are public but opted out by a marker in their description (MRS's
 * on Prosody, Chatlas's on ejabberd) are created on both too.
 * Asserts: both identified with the versions dpkg reports, exactly the public
 * rooms listed with their occupant counts, nothing of the other rooms stored
 * (the results are written to a temp store and the store is searched).
 * Prosody's second host `invite.<domain>` runs mod_invites_register with
 * registration_invite_only = true (Snikket's sign-up): reported `invite`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { closeObserver, probeXmpp, sharedObserver } from '../../../crawler/probe/xmpp.ts';
import { normaliseVersion } from '../../../crawler/identify/version.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { probeHealthReport } from '../../../crawler/health/probe-health-report.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { dpkgVersion, startEjabberd, startProsody, xmppZone, type RunningXmpp } from '../../harness/xmpp-servers.ts';
import { connectOccupant, type Occupant } from '../../harness/xmpp-occupant.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { CHATLAS_NOINDEX_MARKER, MRS_NOINDEX_MARKER } from '../../../crawler/protocol/room-opt-out.ts';

// Under "example." (RFC 2606), not "test.": Prosody's resolver (libunbound)
// answers "test." itself with NXDOMAIN and would never ask our DNS server.
const PROSODY = { ip: '127.31.1.10', domain: 'prosody.example' };
const EJABBERD = { ip: '127.31.1.20', domain: 'ejabberd.example' };
const PW = 'test-only-password';
/** Prosody's invitation-only host (tests/harness/prosody/prosody.cfg.lua). */
const INVITE = `invite.${PROSODY.domain}`;

let dns: DnsServer;
let ca: TestCa;
let ctx: NetContext;
let prosody: RunningXmpp | undefined;
let ejabberd: RunningXmpp | undefined;
const occupants: Occupant[] = [];
let prosodyResult: ProbeResult;
let ejabberdResult: ProbeResult;
let store: TestStore;
const passId = randomUUID();
/** Public rooms whose description asks indexes to leave them out: what of them must never be stored. */
const OPTED_OUT = { room: 'quiet', name: 'Quiet corner', words: 'Moderated by friends' };

before(async () => {
  // Port 53: ejabberd's outbound s2s uses libc getaddrinfo (see tests/harness/xmpp-servers.ts).
  dns = await startDnsServer({ host: '127.31.0.53', port: 53 });
  ca = await createTestCa();
  xmppZone(dns, PROSODY.domain, `rooms.${PROSODY.domain}`, PROSODY.ip);
  xmppZone(dns, EJABBERD.domain, `conference.${EJABBERD.domain}`, EJABBERD.ip);
  dns.set(INVITE, { A: [PROSODY.ip] });
  dns.set(`_xmpp-client._tcp.${INVITE}`, { SRV: [{ priority: 0, weight: 0, port: 5222, target: INVITE }] });
  dns.set(`_xmpp-server._tcp.${INVITE}`, { SRV: [{ priority: 0, weight: 0, port: 5269, target: INVITE }] });
  // XEP-0368 direct TLS for ejabberd's clients (its listener on 5223 has tls: true).
  dns.set(`_xmpps-client._tcp.${EJABBERD.domain}`, { SRV: [{ priority: 0, weight: 0, port: 5223, target: EJABBERD.domain }] });
  [prosody, ejabberd] = await Promise.all([
    startProsody({ ...PROSODY, dns, ca }),
    startEjabberd({ ...EJABBERD, dns, ca, node: 'chatlas-e2e@localhost' }),
  ]);
  const env = { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_STEP_TIMEOUT_MS: '10000' };
  ctx = createNetContext(loadCrawlConfig({ env: { ...env, CHATLAS_XMPP_JID: `observer@${PROSODY.domain}`, CHATLAS_XMPP_PASSWORD: PW } }, { extraCaPems: [ca.caPem] }));
  for (const s of [prosody, ejabberd]) {
    for (const u of ['observer', 'alice', 'bob']) await s.register(u, PW);
    await s.createRoom('hidden', { name: 'Hidden room', public: false });
    await s.createRoom('members', { name: 'Members room', public: true, membersOnly: true });
    await s.createRoom('secret', { name: 'Secret room', public: true, password: 'pw' });
  }
  await prosody.createRoom('lobby', { name: 'Lobby', description: 'Public Prosody room', public: true });
  await ejabberd.createRoom('general', { name: 'General', description: 'Public ejabberd room', public: true });
  await prosody.createRoom(OPTED_OUT.room, { name: OPTED_OUT.name, description: `${OPTED_OUT.words} ${MRS_NOINDEX_MARKER}`, public: true });
  await ejabberd.createRoom(OPTED_OUT.room, { name: OPTED_OUT.name, description: `${OPTED_OUT.words} ${CHATLAS_NOINDEX_MARKER}`, public: true });
  // Occupants (our own servers): two in the Prosody lobby, one in the ejabberd room.
  for (const [srv, user, room] of [[prosody, 'alice', 'lobby'], [prosody, 'bob', 'lobby'], [ejabberd, 'alice', 'general']] as const) {
    const o = await connectOccupant(ctx, srv.ip, user, srv.domain, PW);
    occupants.push(o);
    await o.join(`${room}@${srv.muc}`, user);
  }
  prosodyResult = await probeXmpp(ctx, PROSODY.domain, { passId, skipHttp: true });
  ejabberdResult = await probeXmpp(ctx, EJABBERD.domain, { passId, skipHttp: true });
  store = await openTestStore();
  await insertProbeResults(store.db, [prosodyResult, ejabberdResult]);
});

after(async () => {
  for (const o of occupants) o.close();
  if (ctx) await closeObserver(ctx);
  await ctx?.close();
  await Promise.all([prosody?.stop(), ejabberd?.stop()]);
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

const upstream = (v: string): string => v.split('-')[0] ?? v;
/** Step outcomes and errors, for failure messages. */
const summary = (r: ProbeResult): string => r.observations.map((o) => `${o.step}=${o.outcome}${o.error ? ` (${o.error})` : ''}`).join('\n');

test('Prosody identified with the version dpkg reports', () => {
  const s = prosodyResult.snapshot;
  assert.equal(s.status, 'ok', s.error);
  assert.equal(s.software, 'prosody');
  assert.equal(s.versionRaw, upstream(dpkgVersion('prosody')));
  assert.equal(s.version, normaliseVersion(upstream(dpkgVersion('prosody'))).text);
});

test('ejabberd identified over s2s with the version dpkg reports', () => {
  const s = ejabberdResult.snapshot;
  assert.equal(s.status, 'ok', s.error);
  assert.equal(s.software, 'ejabberd', summary(ejabberdResult));
  // ejabberd's XEP-0092 version carries the Debian revision (23.01-1).
  assert.equal(s.versionRaw, dpkgVersion('ejabberd'), summary(ejabberdResult));
});

test('exactly the public rooms are listed, with their occupants', () => {
  assert.deepEqual(prosodyResult.rooms.map((r) => [r.roomId, r.name, r.members]), [[`lobby@rooms.${PROSODY.domain}`, 'Lobby', 2]]);
  assert.deepEqual(ejabberdResult.rooms.map((r) => [r.roomId, r.name, r.members]), [[`general@conference.${EJABBERD.domain}`, 'General', 1]]);
  assert.equal(prosodyResult.snapshot.publicRooms, 1);
  assert.equal(prosodyResult.snapshot.publicMembers, 2);
});

test('nothing about hidden, members-only or password rooms is stored', () => {
  for (const r of [prosodyResult, ejabberdResult]) {
    const all = JSON.stringify(r);
    for (const word of ['hidden@', 'members@', 'secret@', 'Hidden room', 'Members room', 'Secret room']) assert.ok(!all.includes(word), `${r.snapshot.domain} result mentions ${word}`);
  }
  const counts = prosodyResult.observations.find((o) => o.step === 'xmpp.room-info')?.facts as Record<string, number>;
  assert.deepEqual([counts['listed'], counts['membersOnly'], counts['passwordProtected']], [1, 1, 1]);
});

test('public rooms that opted out in their description (MRS marker on Prosody, Chatlas marker on ejabberd) are only counted', () => {
  for (const r of [prosodyResult, ejabberdResult]) {
    const counts = r.observations.find((o) => o.step === 'xmpp.room-info')?.facts as Record<string, number>;
    assert.equal(counts['optedOut'], 1, `${r.snapshot.domain}: ${JSON.stringify(counts)}`);
    assert.ok(r.snapshot.report.some((i) => i.level === 'info' && /1 public room opted out/.test(i.message)), r.snapshot.domain);
    const all = JSON.stringify(r);
    for (const trace of [`${OPTED_OUT.room}@`, OPTED_OUT.name, OPTED_OUT.words]) assert.ok(!all.includes(trace), `${r.snapshot.domain} result mentions ${trace}`);
  }
});

test('the store holds nothing of the opted-out rooms: not in room_snapshots, rooms_current, nor any observation', async () => {
  const ids = [`${OPTED_OUT.room}@rooms.${PROSODY.domain}`, `${OPTED_OUT.room}@conference.${EJABBERD.domain}`];
  for (const table of ['room_snapshots', 'rooms_current FINAL']) {
    const hit = await rows<{ n: string }>(store.db, `SELECT count() AS n FROM ${table} WHERE room_id IN {ids:Array(String)} OR name = {name:String}`, { ids, name: OPTED_OUT.name });
    assert.equal(Number(hit[0]?.n), 0, table);
  }
  // The listed rooms are there, so the queries above could see rooms at all.
  const listed = await rows<{ room_id: string }>(store.db, 'SELECT room_id FROM rooms_current FINAL ORDER BY room_id');
  assert.deepEqual(listed.map((r) => r.room_id), [`general@conference.${EJABBERD.domain}`, `lobby@rooms.${PROSODY.domain}`]);
  for (const trace of [...ids, OPTED_OUT.name, OPTED_OUT.words, 'MRS-noindex', 'chatlas-noindex']) {
    const hits = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM observations WHERE pass_id = {p:UUID} AND (positionCaseInsensitive(raw, {t:String}) > 0 OR positionCaseInsensitive(facts, {t:String}) > 0)', { p: passId, t: trace });
    assert.equal(Number(hits[0]?.n), 0, `an observation keeps ${trace}`);
  }
});

test('registration reported as observed: Prosody closed, ejabberd advertised (never open)', () => {
  assert.equal(prosodyResult.snapshot.registration, 'closed');
  assert.equal(ejabberdResult.snapshot.registration, 'advertised');
});

test('Prosody with mod_invites_register and registration_invite_only: invite, the XEP-0445 feature named in the report', async () => {
  const r = await probeXmpp(ctx, INVITE, { passId: randomUUID(), skipHttp: true });
  assert.equal(r.snapshot.status, 'ok', summary(r));
  assert.equal(r.snapshot.registration, 'invite', summary(r));
  for (const f of ['{urn:xmpp:ibr-token:0}register', '{urn:xmpp:invite}register', '{http://jabber.org/features/iq-register}register']) assert.ok(r.snapshot.features.includes(f), f);
  // The form was asked and shown (a plain username/password form): it alone would have said `advertised`.
  assert.equal(r.observations.find((o) => o.step === 'xmpp.register-form')?.outcome, 'form');
  assert.ok(r.snapshot.report.some((i) => i.step === 'xmpp.c2s-features' && i.message.includes('{urn:xmpp:ibr-token:0}register')), summary(r));
  // The contact addresses of the host, from the observer's disco#info (mod_server_contact_info, global contact_info).
  assert.deepEqual(r.snapshot.offer?.contacts, { abuse: [`xmpp:abuse@${PROSODY.domain}`], admin: [`mailto:admin@${PROSODY.domain}`, `xmpp:admin@${PROSODY.domain}`] });
});

test('the observer binds resource Chatlas, and one live session serves every probe of the context', async () => {
  const logins = [prosodyResult, ejabberdResult].map((r) => r.observations.find((o) => o.step === 'xmpp.observer-login')?.facts['jid']);
  assert.deepEqual(logins, [`observer@${PROSODY.domain}/Chatlas`, `observer@${PROSODY.domain}/Chatlas`]);
  const a = await sharedObserver(ctx);
  assert.equal(a.alive, true);
  assert.equal(await sharedObserver(ctx), a);
});

test('the observer answers XEP-0092 as Chatlas, even while idle', async () => {
  const reply = await occupants[0]!.ask(`observer@${PROSODY.domain}/Chatlas`, 'jabber:iq:version');
  assert.match(reply, /"children":\["Chatlas"\]/);
  assert.match(reply, /"type":"result"/);
});

test('XEP-0368: ejabberd probed over direct TLS first (SRV _xmpps-client), features read after the handshake', () => {
  const connect = ejabberdResult.observations.find((o) => o.step === 'xmpp.c2s-connect');
  assert.deepEqual([connect?.facts['port'], connect?.facts['directTls']], [5223, true]);
  const features = ejabberdResult.observations.find((o) => o.step === 'xmpp.c2s-features');
  assert.equal(features?.outcome, 'ok');
  assert.ok(ejabberdResult.observations.every((o) => o.step !== 'xmpp.c2s-tls'), 'no STARTTLS on a direct TLS stream');
});

test('TLS verified against the test CA, s2s dialback offered, MUC service found', () => {
  for (const r of [prosodyResult, ejabberdResult]) {
    assert.equal(r.snapshot.tls?.chainValid, true);
    assert.equal(r.snapshot.tls?.nameValid, true);
    const s2s = r.observations.find((o) => o.step === 'xmpp.s2s-features-pre-tls' || o.step === 'xmpp.s2s-features');
    assert.ok(s2s && s2s.outcome === 'ok');
  }
  const svc = prosodyResult.observations.filter((o) => o.step === 'xmpp.service-info').map((o) => [o.facts['jid'], o.facts['kind']]);
  // Prosody lists the hosts under its domain as items, in no fixed order: the MUC, and the invitation-only host.
  assert.deepEqual(svc.sort(), [[INVITE, 'other'], [`rooms.${PROSODY.domain}`, 'muc']]);
  // Its own MUC component is recorded as its service, not queued as another server to probe.
  assert.ok(!prosodyResult.discoveries.some((d) => d.domain === `rooms.${PROSODY.domain}`));
});

test('the health report of both live probes shows no error (the model the server page, the API and chatlas probe share)', () => {
  for (const r of [prosodyResult, ejabberdResult]) {
    const findings = probeHealthReport(r);
    assert.deepEqual(findings.filter((f) => f.level === 'error'), [], `${r.snapshot.domain}:\n${findings.map((f) => `${f.level} ${f.title} [${f.steps.join(', ')}]`).join('\n')}\n${summary(r)}`);
  }
});
