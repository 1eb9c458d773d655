/**
 * The REAL Synapse with its directory defaults (`allow_public_rooms_over_federation:
 * false`, `allow_public_rooms_without_auth: false`): it shares its room
 * directory with nobody outside, so a crawl records `none`. What it really
 * answers is kept as recorded fixtures for the probe tests:
 * - tests/fixtures/matrix-federation-public-rooms/synapse-<version>-federation-denied:
 *   Chatlas's signed federation request, refused after its signature was checked;
 * - tests/fixtures/matrix-public-rooms/synapse-<version>-auth-required: the client
 *   directory without a token.
 * Set-up as in synapse-federation.test.ts (Chatlas behind TLS as `chatlas.test`,
 * our DNS on port 53, the test CA), on addresses of its own.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fetchBounded } from '../../../crawler/net/http.ts';
import { probeMatrix } from '../../../crawler/probe/matrix.ts';
import { generateSigningKey } from '../../../crawler/protocol/matrix-signing.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { installedSynapseVersion, startSynapse, type SynapseHandle } from '../../harness/synapse.ts';
import { startFederatingChatlas, type FederatingChatlas } from '../../harness/chatlas-federating.ts';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { testNetContext } from '../../harness/net-context.ts';

const SYNAPSE = 'synapse.test';
const CHATLAS = 'chatlas.test';
const CHATLAS_ADDRESS = '127.21.2.1';
const SYNAPSE_ADDRESS = '127.21.2.2';
const SYNAPSE_FEDERATION = `https://${SYNAPSE}:8448`;
const PUBLIC_ROOMS = '/_matrix/federation/v1/publicRooms';
const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

/** A recorded `{ status, body }` answer. */
function recorded(spec: string, name: string): { status: number; body: unknown } {
  return JSON.parse(readFileSync(`${FIXTURES}${spec}/synapse-${installedSynapseVersion()}-${name}.input.json`, 'utf8')) as { status: number; body: unknown };
}

let ca: TestCa;
let dns: DnsServer;
let store: TestStore;
let chatlas: FederatingChatlas;
let synapse: SynapseHandle;

before(async () => {
  ca = await createTestCa();
  const cert = await ca.issue([SYNAPSE]);
  dns = await startDnsServer({ host: '127.21.2.53', port: 53, zones: { [SYNAPSE]: { A: [SYNAPSE_ADDRESS] }, [CHATLAS]: { A: [CHATLAS_ADDRESS] } } });
  store = await openTestStore();
  synapse = await startSynapse({
    serverName: SYNAPSE, address: SYNAPSE_ADDRESS, certPem: cert.certPem, keyPem: cert.keyPem,
    // Synapse's own defaults, written out because the harness's homeserver.yaml opens the client directory.
    extraConfig: ['allow_public_rooms_over_federation: false', 'allow_public_rooms_without_auth: false'].join('\n'),
    federation: { dns: { host: dns.host, port: dns.port }, caPem: ca.caPem, servers: [CHATLAS] },
  });
  const room = await synapse.api('POST', '/_matrix/client/v3/createRoom', { preset: 'public_chat', visibility: 'public', room_alias_name: 'lobby', name: 'Lobby' });
  assert.equal(room.status, 200, JSON.stringify(room.json));
  chatlas = await startFederatingChatlas({ db: store.db, serverName: CHATLAS, address: CHATLAS_ADDRESS, dns, ca });
});

after(async () => {
  await chatlas?.close();
  await synapse?.stop();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('a signed federation publicRooms (GET and POST) is refused 403 M_FORBIDDEN, as recorded', { timeout: 60_000 }, async () => {
  const expected = recorded('matrix-federation-public-rooms', 'federation-denied');
  const get = await chatlas.signed(SYNAPSE_FEDERATION, SYNAPSE, 'GET', PUBLIC_ROOMS);
  assert.deepEqual({ status: get.status, body: get.json }, expected, synapse.logTail());
  const post = await chatlas.signed(SYNAPSE_FEDERATION, SYNAPSE, 'POST', PUBLIC_ROOMS, { content: { limit: 10, filter: { generic_search_term: 'Lobby' } } });
  assert.deepEqual({ status: post.status, body: post.json }, expected);
});

test('the refusal comes after Synapse checked the signature: Synapse fetched Chatlas\'s key, and a bad key is 401, not 403', { timeout: 60_000 }, async () => {
  assert.ok(chatlas.seen.some((r) => r.url === '/_matrix/key/v2/server' && r.userAgent.startsWith('Synapse/')), JSON.stringify(chatlas.seen));
  const bad = await chatlas.signed(SYNAPSE_FEDERATION, SYNAPSE, 'GET', PUBLIC_ROOMS, { key: generateSigningKey() });
  assert.equal(bad.status, 401, bad.text);
  assert.equal(bad.json.errcode, 'M_UNAUTHORIZED');
});

test('the client directory without a token is refused 401 M_MISSING_TOKEN, as recorded: no directory is shared', { timeout: 60_000 }, async () => {
  const res = await fetchBounded(chatlas.net, `${SYNAPSE_FEDERATION}/_matrix/client/v3/publicRooms`, { accept: 'application/json', maxRedirects: 0 });
  assert.deepEqual({ status: res.status, body: JSON.parse(res.bodyText) }, recorded('matrix-public-rooms', 'auth-required'));
});

test('the Matrix probe with Chatlas\'s identity records exposure "none" and lists nothing, telling the admin which setting shares the directory', { timeout: 90_000 }, async () => {
  const net = testNetContext(dns, { caPem: ca.caPem });
  try {
    const result = await probeMatrix(net, SYNAPSE, { passId: randomUUID(), federation: { serverName: CHATLAS, key: chatlas.identity.current } });
    assert.equal(result.snapshot.status, 'ok', result.snapshot.error);
    assert.equal(result.rooms.length, 0);
    assert.equal(result.snapshot.directory, 'none');
    const item = result.snapshot.report.find((r) => r.step === 'matrix.federation-public-rooms');
    assert.match(item?.message ?? '', /not shared over federation/);
    assert.match(item?.fix ?? '', /allow_public_rooms_over_federation/);
  } finally {
    await net.close();
  }
});
