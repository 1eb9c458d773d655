/**
 * db/carry-forward.ts, pure: rows as db/rows.ts serverSnapshotRow writes them, the
 * previous row as list-carry-sources.ts reads it back (times as epoch ms). The
 * guide's columns (issue 15): the offer carried part by part, the XMPP upload
 * limit with the room walk, and when each kind was measured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carryForward, carryOffer, type CarrySource } from '../../../db/carry-forward.ts';
import { serverSnapshotRow } from '../../../db/rows.ts';
import { parseServerOffer, serializeServerOffer, type ProviderStatements, type ServerOffer, type ServerSnapshot } from '../../../crawler/types.ts';

const T = Date.parse('2026-03-02T10:00:00Z');
const H = 3_600_000;

const STATEMENTS: ProviderStatements = {
  legalNotice: 'https://x.test/legal', website: null, organization: null, freeOfCharge: true, professionalHosting: null, since: null,
  serverLocations: [], busFactor: null, inBandRegistration: null, registrationWebPage: null, passwordReset: null, maxUploadBytes: null,
};

function snapshot(protocol: 'xmpp' | 'matrix', at: number, over: Partial<ServerSnapshot>): ServerSnapshot {
  return {
    passId: 'p', domain: 'x.test', protocol, observedAt: new Date(at), status: 'ok', software: 'prosody', versionRaw: '', version: '',
    registration: 'closed', features: [], specVersions: [], tls: null, dnssec: null, dane: null, ipv4: true, ipv6: false,
    publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: '', report: [], ...over,
  };
}

/** The previous row as list-carry-sources.ts returns it: the written row's columns. */
function source(s: ServerSnapshot, measuredAt?: Record<string, number>): CarrySource {
  const row = serverSnapshotRow(s);
  return { ...row, measured: [...row.measured], observed_at: s.observedAt.getTime(), measured_at: measuredAt ?? row.measured_at } as unknown as CarrySource;
}

const offerOf = (row: { offer?: string }): ServerOffer => parseServerOffer(row.offer ?? '');

test('a row that skipped setup takes the provider file from the previous row and keeps its own contacts', () => {
  const previous = source(snapshot('xmpp', T, { measured: ['liveness', 'setup', 'rooms', 'register'], uploadMaxBytes: 5_000_000, offer: { provider: STATEMENTS, support: null, contacts: { admin: ['xmpp:old@x.test'] } } }));
  const row = carryForward(serverSnapshotRow(snapshot('xmpp', T + H, { measured: ['liveness'], uploadMaxBytes: null, offer: { provider: null, support: null, contacts: { abuse: ['xmpp:new@x.test'] } } })), previous);
  assert.deepEqual(offerOf(row), { provider: STATEMENTS, support: null, contacts: { abuse: ['xmpp:new@x.test'] } });
  assert.equal(row.upload_max, 5_000_000);
  assert.deepEqual(row.measured_at, { liveness: T + H, setup: T, rooms: T, register: T });
});

test('a row that measured setup keeps its own provider part, even "absent"; one that walked rooms keeps its own upload limit', () => {
  const previous = source(snapshot('xmpp', T, { measured: ['liveness', 'setup', 'rooms', 'register'], uploadMaxBytes: 5_000_000, offer: { provider: STATEMENTS, support: null, contacts: {} } }));
  const row = carryForward(serverSnapshotRow(snapshot('xmpp', T + H, { measured: ['liveness', 'setup', 'rooms'], uploadMaxBytes: null, offer: { provider: 'absent', support: null, contacts: {} } })), previous);
  assert.deepEqual(offerOf(row), { provider: 'absent', support: null, contacts: {} });
  assert.equal(row.upload_max, null, 'the walk found no upload service this time');
  assert.deepEqual(row.measured_at, { liveness: T + H, setup: T + H, rooms: T + H, register: T });
});

test('Matrix: the support well-known is setup and is carried; provider and contacts stay unknown', () => {
  const support = { contacts: [{ role: 'm.role.admin', matrixId: '@admin:x.test', email: '' }], supportPage: null };
  const previous = source(snapshot('matrix', T, { measured: ['liveness', 'setup', 'rooms', 'register'], offer: { provider: null, support, contacts: null } }));
  const row = carryForward(serverSnapshotRow(snapshot('matrix', T + H, { measured: ['liveness'] })), previous);
  assert.deepEqual(offerOf(row), { provider: null, support, contacts: null });
  assert.equal(row.upload_max, null, 'Matrix has no upload column to carry');
});

test('a failed probe is never dressed in the previous row\'s offer or times', () => {
  const previous = source(snapshot('xmpp', T, { measured: ['liveness', 'setup', 'rooms', 'register'], uploadMaxBytes: 1, offer: { provider: STATEMENTS, support: null, contacts: {} } }));
  const written = serverSnapshotRow(snapshot('xmpp', T + H, { status: 'unreachable', measured: ['liveness'] }));
  const row = carryForward(written, previous);
  assert.equal(row.offer, '');
  assert.equal(row.upload_max, null);
  assert.deepEqual(row.measured_at, { liveness: T + H });
});

test('a previous row from before measured_at (an empty map) gives its own time to the kinds it measured, and nothing to the others', () => {
  const everything = source(snapshot('xmpp', T, { measured: [] }), {});
  const row = carryForward(serverSnapshotRow(snapshot('xmpp', T + H, { measured: ['liveness'] })), { ...everything, measured: [] });
  assert.deepEqual(row.measured_at, { liveness: T + H, setup: T, rooms: T, register: T }, 'no kinds listed: that row measured everything');
  const carried = source(snapshot('xmpp', T, { measured: ['liveness', 'rooms'] }), {});
  const later = carryForward(serverSnapshotRow(snapshot('xmpp', T + H, { measured: ['liveness'] })), carried);
  assert.deepEqual(later.measured_at, { liveness: T + H, rooms: T }, 'setup and register: when is not known');
});

test('carryOffer: previous rows from before the column (\'\') carry nothing; a row that knows nothing serialises to \'\'', () => {
  assert.equal(carryOffer('', ''), '');
  const own = serializeServerOffer({ provider: null, support: null, contacts: { admin: ['xmpp:a@x.test'] } });
  assert.deepEqual(parseServerOffer(carryOffer(own, '')), { provider: null, support: null, contacts: { admin: ['xmpp:a@x.test'] } });
  assert.deepEqual(parseServerOffer(carryOffer('', serializeServerOffer({ provider: 'absent', support: null, contacts: { admin: ['xmpp:old@x.test'] } }))),
    { provider: 'absent', support: null, contacts: null });
});
