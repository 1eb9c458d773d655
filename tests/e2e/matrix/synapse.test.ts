/**
 * End to end against the REAL Synapse (PyPI matrix-synapse in
 * /opt/chatlas-synapse): started by this test with SQLite on 127.21.0.1,
 * a test-CA certificate, behind our own DNS server on 127.21.0.53. Two public
 * rooms, a space, a private room, a local-only room (`m.federate: false`) and
 * two public rooms that opted out with a marker in their topic are created
 * through its client API, then probeMatrix runs end to end and the result is
 * written to a temp store.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { probeMatrix } from '../../../crawler/probe/matrix.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { probeHealthReport } from '../../../crawler/health/probe-health-report.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { installedSynapseVersion, startSynapse, SYNAPSE_ADDRESS, SYNAPSE_VENV, type SynapseHandle } from '../../harness/synapse.ts';
import { CHATLAS_NOINDEX_MARKER, MRS_NOINDEX_MARKER } from '../../../crawler/protocol/room-opt-out.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';

const SERVER = 'synapse.test';
let ca: TestCa;
let dns: DnsServer;
let synapse: SynapseHandle;
let ctx: NetContext;
let store: TestStore;
let result: ProbeResult;
const created: Record<string, string> = {};
const passId = randomUUID();

before(async () => {
  ca = await createTestCa();
  const cert = await ca.issue([SERVER]);
  dns = await startDnsServer({ host: '127.21.0.53', zones: { [SERVER]: { A: [SYNAPSE_ADDRESS] } } });
  synapse = await startSynapse({ serverName: SERVER, certPem: cert.certPem, keyPem: cert.keyPem });
  const make = async (key: string, body: unknown) => {
    const r = await synapse.api('POST', '/_matrix/client/v3/createRoom', body);
    assert.equal(r.status, 200, `createRoom ${key}: ${JSON.stringify(r.json)}`);
    created[key] = r.json.room_id;
  };
  await make('lobby', { preset: 'public_chat', visibility: 'public', room_alias_name: 'lobby', name: 'Lobby', topic: 'General chat' });
  await make('dev', { preset: 'public_chat', visibility: 'public', room_alias_name: 'dev', name: 'Developers' });
  await make('space', { preset: 'public_chat', visibility: 'public', room_alias_name: 'hub', name: 'Hub', creation_content: { type: 'm.space' } });
  await make('secret', { preset: 'private_chat', visibility: 'private', name: 'Secret plans' });
  // Published in the directory, but their moderators asked indexes to leave them out (MRS's marker, Chatlas's).
  await make('mrsOptOut', { preset: 'public_chat', visibility: 'public', room_alias_name: 'quiet', name: 'Quiet corner', topic: `Moderated by friends ${MRS_NOINDEX_MARKER}` });
  await make('chatlasOptOut', { preset: 'public_chat', visibility: 'public', room_alias_name: 'hush', name: 'Hush room', topic: `${CHATLAS_NOINDEX_MARKER} no indexes please` });
  // Local-only (m.room.create content m.federate: false), yet published in the client directory.
  await make('local', { preset: 'public_chat', visibility: 'public', room_alias_name: 'staff', name: 'Staff only', creation_content: { 'm.federate': false } });
  const child = await synapse.api('PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(created['space']!)}/state/m.space.child/${encodeURIComponent(created['lobby']!)}`, { via: [SERVER, 'other.test'] });
  assert.equal(child.status, 200);
  const config = loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } }, { extraCaPems: [ca.caPem] });
  ctx = createNetContext(config);
  // Small pages so that pagination (and the URL-encoded `since`) is exercised.
  result = await probeMatrix(ctx, SERVER, { passId, rooms: { pageSize: 2 } });
  store = await openTestStore();
});

after(async () => {
  await ctx?.close();
  await synapse?.stop();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('Synapse is identified with the version the installed package reports', () => {
  const s = result.snapshot;
  assert.equal(s.status, 'ok', `${s.error}\n${synapse.logTail()}`);
  assert.equal(s.software, 'synapse');
  assert.equal(s.versionRaw, installedSynapseVersion());
  assert.equal(s.version, installedSynapseVersion());
});

test('delegation through the real well-known, TLS facts and keys', () => {
  const step = (name: string) => result.observations.find((o) => o.step === name);
  assert.equal(step('matrix.well-known-server')?.outcome, 'ok');
  assert.equal(step('matrix.well-known-server')?.facts['delegated'], `${SERVER}:443`);
  assert.equal(result.snapshot.endpoint, `${SERVER}:443`);
  assert.equal(result.snapshot.tls?.chainValid, true);
  assert.equal(result.snapshot.tls?.nameValid, true);
  assert.equal(step('matrix.server-keys')?.outcome, 'ok');
  assert.equal(result.snapshot.ipv4, true);
  assert.ok(result.snapshot.specVersions.includes('v1.11'));
  assert.ok(result.snapshot.features.includes('m.login.password'));
});

test('registration is reported closed (enable_registration: false), found with one empty POST', () => {
  assert.equal(result.snapshot.registration, 'closed');
  assert.equal(result.observations.filter((o) => o.step === 'matrix.register-probe').length, 1);
});

test('public rooms and the space are listed, the private room is absent', () => {
  const ids = new Set(result.rooms.map((r) => r.roomId));
  assert.ok(ids.has(created['lobby']!) && ids.has(created['dev']!) && ids.has(created['space']!) && ids.has(created['local']!));
  assert.ok(!ids.has(created['secret']!));
  assert.ok(!result.rooms.some((r) => r.name === 'Secret plans'));
  const lobby = result.rooms.find((r) => r.roomId === created['lobby']);
  assert.equal(lobby?.address, `#lobby:${SERVER}`);
  assert.equal(lobby?.topic, 'General chat');
  assert.equal(result.rooms.find((r) => r.roomId === created['space'])?.roomType, 'space');
  assert.ok(result.observations.filter((o) => o.step === 'matrix.public-rooms').length >= 2, 'paginated with limit=2');
  assert.equal(result.snapshot.publicRooms, 4);
});

test('rooms whose topic carries an opt-out marker are withheld: only counted, in no field of the result', () => {
  const ids = new Set(result.rooms.map((r) => r.roomId));
  assert.ok(!ids.has(created['mrsOptOut']!) && !ids.has(created['chatlasOptOut']!));
  const pages = result.observations.filter((o) => o.step === 'matrix.public-rooms');
  assert.equal(pages.reduce((n, o) => n + Number(o.facts['optedOut'] ?? 0), 0), 2, 'counted on the pages that listed them');
  assert.equal(result.observations.find((o) => o.step === 'matrix.summary')?.facts['roomsOptedOut'], 2);
  assert.ok(result.snapshot.report.some((r) => r.level === 'info' && /2 rooms .* opted out/.test(r.message)));
  const all = JSON.stringify(result);
  for (const trace of [created['mrsOptOut']!, created['chatlasOptOut']!, 'Quiet corner', 'Hush room', '#quiet:', '#hush:', 'Moderated by friends', 'no indexes please']) {
    assert.ok(!all.includes(trace), `the probe result mentions ${trace}`);
  }
});

test('an m.federate: false room looks like any other in the client directory: its reach is not known (null)', () => {
  // Synapse's client publicRooms carries no m.federate (room_list.py build_room_entry); only its
  // federation directory leaves such a room out, and this probe reads the client one.
  const local = result.rooms.find((r) => r.roomId === created['local']);
  assert.equal(local?.name, 'Staff only');
  assert.equal(local?.federates, null);
});

test('the space hierarchy needs a token on Synapse: recorded as auth-required, not a failure', () => {
  const h = result.observations.filter((o) => o.step === 'matrix.space-hierarchy');
  assert.ok(h.length >= 1);
  assert.ok(h.every((o) => o.outcome === 'auth-required'), JSON.stringify(h.map((o) => o.outcome)));
});

test('rows land in the store', async () => {
  await insertProbeResults(store.db, [result]);
  const servers = await rows<{ software: string; version_raw: string; status: string }>(store.db, 'SELECT software, version_raw, status FROM server_snapshots WHERE pass_id = {p:UUID}', { p: passId });
  assert.deepEqual(servers, [{ software: 'synapse', version_raw: installedSynapseVersion(), status: 'ok' }]);
  const rooms = await rows<{ room_id: string }>(store.db, 'SELECT room_id FROM room_snapshots WHERE pass_id = {p:UUID} ORDER BY room_id', { p: passId });
  assert.deepEqual(rooms.map((r) => r.room_id), [created['lobby']!, created['dev']!, created['space']!, created['local']!].sort());
  const obs = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM observations WHERE pass_id = {p:UUID}', { p: passId });
  assert.equal(Number(obs[0]?.n), result.observations.length);
});

test('the store holds nothing of the opted-out rooms: not in room_snapshots, rooms_current, nor any observation', async () => {
  const opted = [created['mrsOptOut']!, created['chatlasOptOut']!];
  const snapshots = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM room_snapshots WHERE room_id IN {ids:Array(String)} OR name IN {names:Array(String)}', { ids: opted, names: ['Quiet corner', 'Hush room'] });
  assert.equal(Number(snapshots[0]?.n), 0);
  const current = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM rooms_current FINAL WHERE room_id IN {ids:Array(String)} OR name IN {names:Array(String)}', { ids: opted, names: ['Quiet corner', 'Hush room'] });
  assert.equal(Number(current[0]?.n), 0);
  // The listed rooms are there, so the queries above could see rooms at all.
  const listed = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM rooms_current FINAL WHERE server = {s:String}', { s: SERVER });
  assert.equal(Number(listed[0]?.n), 4);
  for (const trace of [...opted, 'Quiet corner', 'Hush room', 'Moderated by friends', 'MRS-noindex', 'chatlas-noindex']) {
    const hits = await rows<{ n: string }>(store.db, 'SELECT count() AS n FROM observations WHERE pass_id = {p:UUID} AND (positionCaseInsensitive(raw, {t:String}) > 0 OR positionCaseInsensitive(facts, {t:String}) > 0)', { p: passId, t: trace });
    assert.equal(Number(hits[0]?.n), 0, `an observation keeps ${trace}`);
  }
});

test('the Python of the test Synapse cannot open a socket off loopback nor look names up', () => {
  // The guard raises before any packet is sent (tests/harness/synapse/sitecustomize.py).
  const script = [
    'import socket',
    'for target in [("10.255.255.53", 53), ("192.0.2.1", 443)]:',
    '    try:',
    '        socket.create_connection(target, timeout=1); print("CONNECTED")',
    '    except OSError as e: print("refused:", e)',
    'try:',
    '    socket.getaddrinfo("matrix.org", 443); print("RESOLVED")',
    'except OSError as e: print("refused:", e)',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    'try:',
    '    s.sendto(b"x", ("10.255.255.53", 53)); print("SENT")',
    'except OSError as e: print("refused:", e)',
  ].join('\n');
  const out = spawnSync(`${SYNAPSE_VENV}/bin/python`, ['-c', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PYTHONPATH: new URL('../../harness/synapse', import.meta.url).pathname } });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout.split('\n').filter((l) => l.startsWith('refused:') && l.includes('chatlas test harness')).length, 4, out.stdout);
  assert.ok(!/CONNECTED|RESOLVED|SENT/.test(out.stdout));
});

test('the health report of the live probe shows no error (the model the server page, the API and chatlas probe share)', () => {
  const findings = probeHealthReport(result);
  assert.deepEqual(findings.filter((f) => f.level === 'error'), [], findings.map((f) => `${f.level} ${f.title} [${f.steps.join(', ')}]`).join('\n'));
});
