/**
 * Kinds of fact in the store (issue 12 items 1, 2), on a real chdb: a probe that
 * measured only liveness is stored complete, its skipped kinds' columns and report
 * items carried from the last good row; its empty room list tombstones nothing; the
 * server page reads each kind's steps from the pass that last measured it, and the
 * requests of the last 24 hours; the crawl plan's history tells when each kind was
 * measured, what the last registration request said, and whether the version changed since.
 * The guide's columns (issue 15): the offer carried part by part (provider file and support
 * well-known with setup, XMPP contacts with every probe), the upload limit with the room walk,
 * and when each kind was measured.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { parseServerOffer, type Observation, type ProbeResult, type ProviderStatements, type ServerSnapshot } from '../../../../crawler/types.ts';
import { getServer } from '../../../../db/queries/servers/get-server.ts';
import { getServerObservations } from '../../../../db/queries/servers/get-server-observations.ts';
import { getServerRequests } from '../../../../db/queries/servers/get-server-requests.ts';
import { listServerHistory } from '../../../../db/queries/frontier/list-server-history.ts';
import { HistoryCache } from '../../../../jobs/crawl/history-cache.ts';
import { serverKey, toHistory } from '../../../../jobs/crawl/plan-pass.ts';
import { queryRows } from '../../../../db/query-rows.ts';
import { insert, openTestStore, room, snap } from './store.ts';

let db: Db;
let close: () => Promise<void>;
const D = 'kinds.test';
const X = 'offer-kinds.test';
/** The statements of a provider file (the shape crawler/protocol/xmpp-provider-file.ts providerStatements returns). */
const STATEMENTS: ProviderStatements = {
  legalNotice: 'https://offer-kinds.test/legal', website: 'https://offer-kinds.test/', organization: 'private person', freeOfCharge: true,
  professionalHosting: false, since: '2019-05-01', serverLocations: ['de'], busFactor: 2, inBandRegistration: null,
  registrationWebPage: null, passwordReset: null, maxUploadBytes: null,
};
const H = 3_600_000;
const T = Date.parse('2026-03-02T10:00:00Z');

const obs = (s: ServerSnapshot, step: string, outcome: Observation['outcome'] = 'ok'): Observation => ({
  passId: s.passId, domain: s.domain, protocol: s.protocol, step, observedAt: s.observedAt, outcome, durationMs: 5, facts: { step }, raw: '', error: '',
});
const probe = (s: ServerSnapshot, steps: string[], rooms = 0): ProbeResult => ({
  snapshot: s, observations: steps.map((st) => obs(s, st)), rooms: Array.from({ length: rooms }, (_, i) => room(s, `r${i}`)), discoveries: [],
});

before(async () => {
  ({ db, close } = await openTestStore());
  // Day 1, 10:00: a full probe (every kind), three rooms, open registration, login flows in the features.
  const full = snap(D, 'matrix', new Date(T).toISOString(), {
    registration: 'open', features: ['m.login.password', 'org.matrix.msc2965'], specVersions: ['v1.11'], ipv6: true, users: 40, publicRooms: 3, publicMembers: 30,
    measured: ['liveness', 'setup', 'rooms', 'register'], requests: 30,
    report: [
      { step: 'matrix.federation-version', level: 'ok', message: 'Federation answers (first).' },
      { step: 'matrix.server-keys', level: 'ok', message: 'Signing keys are valid.' },
      { step: 'matrix.public-rooms', level: 'info', message: '1 room opted out.' },
    ],
  });
  const fullResult = probe(full, ['matrix.federation-version', 'matrix.server-keys', 'matrix.login-flows', 'matrix.public-rooms', 'matrix.register-probe'], 3);
  // 11:00: liveness only: nothing of the other kinds in the probe's own result.
  const live = snap(D, 'matrix', new Date(T + H).toISOString(), {
    registration: 'unknown', features: [], specVersions: [], ipv6: null, users: null, measured: ['liveness'], requests: 2,
    report: [{ step: 'matrix.federation-version', level: 'ok', message: 'Federation answers (second).' }],
  });
  // 12:00: down: a failure stays a failure.
  const down = snap(D, 'matrix', new Date(T + 2 * H).toISOString(), { status: 'unreachable', error: 'refused', software: 'unknown', registration: 'unknown', measured: ['liveness'], requests: 1, tls: null });
  // 13:00: up again, upgraded, liveness only.
  const upgraded = snap(D, 'matrix', new Date(T + 3 * H).toISOString(), { versionRaw: '1.1.0', version: '1.1.0', registration: 'unknown', features: [], measured: ['liveness'], requests: 2 });
  await insert(db, [fullResult, probe(live, ['matrix.federation-version']), probe(down, ['matrix.federation-version']), probe(upgraded, ['matrix.federation-version'])]);

  // XMPP, the guide's columns: 10:00 every kind (provider file, contacts, upload 10 MiB); 11:00 liveness
  // only, the contacts changed; 12:00 setup again, the provider file gone (404); 13:00 liveness, no observer.
  const x = (hours: number, over: Partial<ServerSnapshot>) => snap(X, 'xmpp', new Date(T + hours * H).toISOString(), over);
  await insert(db, [
    probe(x(0, { measured: ['liveness', 'setup', 'rooms', 'register'], uploadMaxBytes: 10_485_760, offer: { provider: STATEMENTS, support: null, contacts: { admin: ['xmpp:admin@offer-kinds.test'] } } }), ['xmpp.provider-file', 'xmpp.service-info']),
    probe(x(1, { measured: ['liveness'], uploadMaxBytes: null, offer: { provider: null, support: null, contacts: { abuse: ['mailto:abuse@offer-kinds.test'] } } }), ['xmpp.disco-info']),
    probe(x(2, { measured: ['liveness', 'setup'], uploadMaxBytes: null, offer: { provider: 'absent', support: null, contacts: {} } }), ['xmpp.provider-file']),
    probe(x(3, { measured: ['liveness'], uploadMaxBytes: null, offer: { provider: null, support: null, contacts: null } }), ['xmpp.c2s-features']),
  ]);
});

after(async () => close?.());

test('a liveness-only probe is stored complete: the other kinds carried from the last good row', async () => {
  const rows = await queryRows<{ at: string; registration: string; features: string[]; spec_versions: string[]; ipv6: boolean | null; users: number | null; public_rooms: number; measured: string[]; status: string }>(db,
    `SELECT toString(observed_at) AS at, registration, features, spec_versions, ipv6, users, public_rooms, measured, status FROM server_snapshots WHERE domain = {d:String} ORDER BY observed_at`, { d: D });
  assert.deepEqual(rows.map((r) => [r.status, r.registration, r.features.length, r.spec_versions.join(), r.ipv6, r.users, r.public_rooms, r.measured.join()]), [
    ['ok', 'open', 2, 'v1.11', true, 40, 3, 'liveness,setup,rooms,register'],
    ['ok', 'open', 2, 'v1.11', true, 40, 3, 'liveness'],
    ['unreachable', 'unknown', 0, '', false, null, 0, 'liveness'],
    ['ok', 'open', 2, 'v1.11', true, 40, 3, 'liveness'],
  ]);
});

test('the server page shows the carried facts and the report items of every kind, its own first', async () => {
  const [detail] = await getServer(db, { domain: D });
  assert.equal(detail?.latest.registration, 'open');
  assert.equal(detail?.latest.public_rooms, 3);
  assert.equal(detail?.latest.version, '1.1.0');
  assert.deepEqual(detail?.latest.report.map((i) => i.message), ['Signing keys are valid.', '1 room opted out.']);
});

test('an empty room list from a probe that did not walk the directory tombstones nothing', async () => {
  const rooms = await queryRows<{ room_id: string }>(db, 'SELECT room_id FROM rooms_current FINAL WHERE server = {d:String} ORDER BY room_id', { d: D });
  assert.deepEqual(rooms.map((r) => r.room_id), [`!r0:${D}`, `!r1:${D}`, `!r2:${D}`]);
});

test('the steps shown are each kind\'s from the pass that last measured it', async () => {
  const steps = await getServerObservations(db, { domain: D });
  assert.deepEqual(steps.map((o) => `${o.step}@${o.observedAt?.slice(11, 16)}`), [
    'matrix.login-flows@10:00', 'matrix.public-rooms@10:00', 'matrix.register-probe@10:00', 'matrix.server-keys@10:00',
    'matrix.federation-version@13:00',
  ]);
});

test('the requests of the last 24 hours and when each kind was last measured', async () => {
  const [r] = await getServerRequests(db, { domain: D, now: new Date(T + 4 * H) });
  assert.equal(r?.requests24h, 35);
  assert.equal(r?.probes24h, 4);
  assert.deepEqual(r?.measuredAt, {
    liveness: new Date(T + 3 * H).toISOString(), setup: new Date(T).toISOString(), rooms: new Date(T).toISOString(), register: new Date(T).toISOString(),
  });
  const [later] = await getServerRequests(db, { domain: D, now: new Date(T + 25 * H + H / 2) });
  assert.equal(later?.requests24h, 3, 'the day has moved past the first two probes');
});

test('the plan\'s history: kinds measured, the last registration answer, a version change since, the day\'s requests', async () => {
  const asOf = new Date(T + 4 * H);
  const row = (await listServerHistory(db, { asOf, lookbackMs: 30 * 86_400_000 })).find((r) => r.domain === D);
  const h = toHistory(row!);
  assert.deepEqual(Object.fromEntries(Object.entries(h.measuredAt ?? {}).map(([k, v]) => [k, v.getTime() - T])), { liveness: 3 * H, setup: 0, rooms: 0, register: 0 });
  assert.deepEqual(h.register, { mode: 'open', changed: true });
  assert.deepEqual(h.requestLog, [{ at: T, n: 30 }, { at: T + H, n: 2 }, { at: T + 2 * H, n: 1 }, { at: T + 3 * H, n: 2 }]);
  // The history kept between passes agrees with the windowed query, incremental reads included.
  const cache = new HistoryCache();
  await cache.read(db, { asOf: new Date(T + H + 1), lookbackMs: 30 * 86_400_000 });
  const incremental = (await cache.read(db, { asOf, lookbackMs: 30 * 86_400_000 })).get(serverKey('matrix', D));
  assert.equal(cache.lastRead?.mode, 'incremental');
  assert.deepEqual(incremental?.measuredAt, h.measuredAt);
  assert.deepEqual(incremental?.register, h.register);
  assert.deepEqual(incremental?.requestLog, h.requestLog);
});

test('the offer is carried part by part: the provider file with setup, the contacts are each probe\'s own; upload with the room walk', async () => {
  const rows = await queryRows<{ offer: string; upload_max: number | null; measured_at: Record<string, number> }>(db,
    `SELECT offer, upload_max, mapApply((k, v) -> (k, toUnixTimestamp64Milli(v)), measured_at) AS measured_at
     FROM server_snapshots WHERE domain = {d:String} ORDER BY observed_at`, { d: X });
  const offers = rows.map((r) => parseServerOffer(r.offer));
  assert.deepEqual(offers.map((o) => [o.provider === null || o.provider === 'absent' ? o.provider : o.provider.legalNotice, o.contacts]), [
    ['https://offer-kinds.test/legal', { admin: ['xmpp:admin@offer-kinds.test'] }],
    // Setup skipped: the provider statements of 10:00, the contacts this probe saw.
    ['https://offer-kinds.test/legal', { abuse: ['mailto:abuse@offer-kinds.test'] }],
    // Setup measured again: the 404 replaces the statements.
    ['absent', {}],
    // No observer this time: contacts unknown, not "none"; the absent provider file carried.
    ['absent', null],
  ]);
  assert.deepEqual(offers[1]?.provider, STATEMENTS);
  assert.deepEqual(offers.map((o) => o.support), [null, null, null, null]);
  // The room walk ran only at 10:00: its upload limit is carried to every later ok row.
  assert.deepEqual(rows.map((r) => r.upload_max), [10_485_760, 10_485_760, 10_485_760, 10_485_760]);
  assert.deepEqual(rows.map((r) => Object.fromEntries(Object.entries(r.measured_at).map(([k, v]) => [k, (v - T) / H]))), [
    { liveness: 0, setup: 0, rooms: 0, register: 0 },
    { liveness: 1, setup: 0, rooms: 0, register: 0 },
    { liveness: 2, setup: 2, rooms: 0, register: 0 },
    { liveness: 3, setup: 2, rooms: 0, register: 0 },
  ]);
});

test('when each kind was measured is carried with its facts; a failed probe keeps only its own liveness time', async () => {
  const rows = await queryRows<{ status: string; measured_at: Record<string, number> }>(db,
    `SELECT status, mapApply((k, v) -> (k, toUnixTimestamp64Milli(v)), measured_at) AS measured_at
     FROM server_snapshots WHERE domain = {d:String} ORDER BY observed_at`, { d: D });
  assert.deepEqual(rows.map((r) => [r.status, Object.fromEntries(Object.entries(r.measured_at).map(([k, v]) => [k, (v - T) / H]))]), [
    ['ok', { liveness: 0, setup: 0, rooms: 0, register: 0 }],
    ['ok', { liveness: 1, setup: 0, rooms: 0, register: 0 }],
    ['unreachable', { liveness: 2 }],
    ['ok', { liveness: 3, setup: 0, rooms: 0, register: 0 }],
  ]);
});
