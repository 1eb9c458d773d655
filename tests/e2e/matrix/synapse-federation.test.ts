/**
 * Chatlas federating with the REAL Synapse (issue 11, "Real parts in the tests"):
 * Chatlas's serve composition runs in this process as `chatlas.test`, behind a
 * TLS terminator on 127.21.1.1:8448 with a test-CA certificate, Synapse on
 * 127.21.1.2, and our DNS server on 127.21.1.53:53 resolves both names. Synapse federates through that
 * DNS and trusts the test CA; nothing in its signature checks is changed.
 *
 * 1. Chatlas crawls a Synapse whose client directory is open (the harness's
 *    default configuration) and stores the rooms it found.
 * 2. Synapse restarts configured as admins do (`allow_public_rooms_over_federation:
 *    true`, `allow_public_rooms_without_auth: false`), with other rooms, and:
 *    a. Chatlas's signed `publicRooms` requests are verified by Synapse, which
 *       fetches Chatlas's key over HTTPS under `chatlas.test`; a request signed
 *       with a key Chatlas does not publish is refused 401;
 *    b. a logged-in Synapse user searches Chatlas as a remote directory
 *       (`/_matrix/client/v3/publicRooms?server=chatlas.test`, as Element's
 *       "Explore rooms" does): Synapse signs its request, Chatlas verifies it
 *       with Synapse's key and answers from its index, and records Synapse as a
 *       discovery (`contacted-us`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { fetchBounded } from '../../../crawler/net/http.ts';
import { probeMatrix } from '../../../crawler/probe/matrix.ts';
import { generateSigningKey, signingKeyFromSeed } from '../../../crawler/protocol/matrix-signing.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { installedSynapseVersion, startSynapse, type SynapseHandle } from '../../harness/synapse.ts';
import { startFederatingChatlas, type FederatingChatlas } from '../../harness/chatlas-federating.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { testNetContext } from '../../harness/net-context.ts';

const SYNAPSE = 'synapse.test';
const CHATLAS = 'chatlas.test';
const CHATLAS_ADDRESS = '127.21.1.1';
/** Not the default 127.21.0.1 of synapse.test.ts: each Synapse test has its own address. */
const SYNAPSE_ADDRESS = '127.21.1.2';
const SYNAPSE_FEDERATION = `https://${SYNAPSE}:8448`;
const PUBLIC_ROOMS = '/_matrix/federation/v1/publicRooms';

let ca: TestCa;
let dns: DnsServer;
let store: TestStore;
let chatlas: FederatingChatlas;
let synapse: SynapseHandle;
let crawled: ProbeResult;
/** Rooms created on the Synapse configured as admins do. */
const created: Record<string, string> = {};

async function createRoom(s: SynapseHandle, key: string, body: unknown): Promise<string> {
  const r = await s.api('POST', '/_matrix/client/v3/createRoom', body);
  assert.equal(r.status, 200, `createRoom ${key}: ${JSON.stringify(r.json)}`);
  return r.json.room_id as string;
}

before(async () => {
  ca = await createTestCa();
  const cert = await ca.issue([SYNAPSE]);
  // Port 53: Synapse resolves through getaddrinfo and Twisted, which read only an address from resolv.conf.
  dns = await startDnsServer({ host: '127.21.1.53', port: 53, zones: { [SYNAPSE]: { A: [SYNAPSE_ADDRESS] }, [CHATLAS]: { A: [CHATLAS_ADDRESS] } } });
  store = await openTestStore();

  // 1. Chatlas crawls a Synapse with an open client directory (its own network context, closed after).
  const open = await startSynapse({ serverName: SYNAPSE, address: SYNAPSE_ADDRESS, certPem: cert.certPem, keyPem: cert.keyPem });
  try {
    await createRoom(open, 'rust', { preset: 'public_chat', visibility: 'public', room_alias_name: 'rust', name: 'Rust users', topic: 'Systems programming' });
    await createRoom(open, 'lobby', { preset: 'public_chat', visibility: 'public', room_alias_name: 'lobby', name: 'Crawled lobby' });
    await createRoom(open, 'hidden', { preset: 'private_chat', visibility: 'private', name: 'Hidden plans' });
    const crawlNet = testNetContext(dns, { caPem: ca.caPem });
    try {
      crawled = await probeMatrix(crawlNet, SYNAPSE, { passId: randomUUID() });
    } finally {
      await crawlNet.close();
    }
    assert.equal(crawled.snapshot.status, 'ok', `${crawled.snapshot.error}\n${open.logTail()}`);
    assert.equal(crawled.rooms.length, 2, 'the crawl found the two public rooms');
    await insertProbeResults(store.db, [crawled]);
  } finally {
    await open.stop();
  }

  // 2. The same name, configured as admins do, federating with Chatlas only.
  synapse = await startSynapse({
    serverName: SYNAPSE, address: SYNAPSE_ADDRESS, certPem: cert.certPem, keyPem: cert.keyPem,
    extraConfig: ['allow_public_rooms_over_federation: true', 'allow_public_rooms_without_auth: false'].join('\n'),
    federation: { dns: { host: dns.host, port: dns.port }, caPem: ca.caPem, servers: [CHATLAS] },
  });
  created['fedlobby'] = await createRoom(synapse, 'fedlobby', { preset: 'public_chat', visibility: 'public', room_alias_name: 'fedlobby', name: 'Federated lobby' });
  created['second'] = await createRoom(synapse, 'second', { preset: 'public_chat', visibility: 'public', room_alias_name: 'second', name: 'Second room', topic: 'found by search' });
  created['private'] = await createRoom(synapse, 'private', { preset: 'private_chat', visibility: 'private', name: 'Not listed' });
  chatlas = await startFederatingChatlas({ db: store.db, serverName: CHATLAS, address: CHATLAS_ADDRESS, dns, ca });
});

after(async () => {
  await chatlas?.close();
  await synapse?.stop();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

test('Synapse verifies Chatlas\'s signed GET publicRooms by fetching Chatlas\'s key over HTTPS, and answers with its rooms', { timeout: 60_000 }, async () => {
  const res = await chatlas.signed(SYNAPSE_FEDERATION, SYNAPSE, 'GET', PUBLIC_ROOMS);
  assert.equal(res.status, 200, `${res.text}\n${synapse.logTail()}`);
  const ids = (res.json.chunk as Array<{ room_id: string }>).map((r) => r.room_id).sort();
  assert.deepEqual(ids, [created['fedlobby']!, created['second']!].sort());
  assert.equal(res.json.total_room_count_estimate, 2);
  // Synapse got Chatlas's key itself, under Chatlas's name, through our DNS and the TLS terminator.
  const keyFetches = chatlas.seen.filter((r) => r.url === '/_matrix/key/v2/server');
  assert.ok(keyFetches.length >= 1, JSON.stringify(chatlas.seen));
  assert.match(keyFetches[0]!.userAgent, new RegExp(`^Synapse/${installedSynapseVersion().replace(/\./g, '\\.')}`));
  assert.ok(chatlas.tls.servernames.includes(CHATLAS), `SNI seen: ${chatlas.tls.servernames.join(', ')}`);
});

test('Synapse verifies a signed POST with a search filter (the body is signed too) and filters its rooms', { timeout: 60_000 }, async () => {
  const res = await chatlas.signed(SYNAPSE_FEDERATION, SYNAPSE, 'POST', PUBLIC_ROOMS, { content: { limit: 10, filter: { generic_search_term: 'Second' } } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual((res.json.chunk as Array<{ room_id: string; topic?: string }>).map((r) => [r.room_id, r.topic]), [[created['second']!, 'found by search']]);
});

test('a request signed with a key Chatlas does not publish is refused 401 M_UNAUTHORIZED by Synapse', { timeout: 60_000 }, async () => {
  // A key id Chatlas never published: Synapse asks Chatlas for its keys again and does not find it.
  const unknown = await chatlas.signed(SYNAPSE_FEDERATION, SYNAPSE, 'GET', PUBLIC_ROOMS, { key: generateSigningKey() });
  assert.equal(unknown.status, 401, unknown.text);
  assert.equal(unknown.json.errcode, 'M_UNAUTHORIZED');
  assert.match(unknown.json.error, /Failed to find any key to satisfy/);
  // Chatlas's current key id with another secret: the signature does not verify.
  const forged = await chatlas.signed(SYNAPSE_FEDERATION, SYNAPSE, 'GET', PUBLIC_ROOMS, { key: signingKeyFromSeed(chatlas.identity.current.keyId, randomBytes(32)) });
  assert.equal(forged.status, 401, forged.text);
  assert.equal(forged.json.errcode, 'M_UNAUTHORIZED');
  assert.match(forged.json.error, new RegExp(`Invalid signature for server ${CHATLAS.replace('.', '\\.')} with key ${chatlas.identity.current.keyId}`));
  // Unsigned.
  const unsigned = await fetchBounded(chatlas.net, `${SYNAPSE_FEDERATION}${PUBLIC_ROOMS}`, { accept: 'application/json', maxRedirects: 0 });
  assert.equal(unsigned.status, 401, unsigned.bodyText);
  assert.deepEqual(JSON.parse(unsigned.bodyText), { errcode: 'M_UNAUTHORIZED', error: 'Missing Authorization headers' });
});

test('Element-style search: a Synapse user lists Chatlas\'s rooms through Synapse (GET and POST with generic_search_term)', { timeout: 90_000 }, async () => {
  const listed = await synapse.api('GET', `/_matrix/client/v3/publicRooms?server=${CHATLAS}`);
  assert.equal(listed.status, 200, `${JSON.stringify(listed.json)}\n${synapse.logTail()}`);
  const chunk = listed.json.chunk as Array<{ room_id: string; name?: string; canonical_alias?: string; num_joined_members: number }>;
  const expected = crawled.rooms.map((r) => r.roomId).sort();
  assert.deepEqual(chunk.map((r) => r.room_id).sort(), expected, 'the rooms Chatlas crawled, not Synapse\'s own');
  assert.deepEqual(chunk.find((r) => r.name === 'Rust users')?.canonical_alias, `#rust:${SYNAPSE}`);
  const searched = await synapse.api('POST', `/_matrix/client/v3/publicRooms?server=${CHATLAS}`, { limit: 10, filter: { generic_search_term: 'rust' } });
  assert.equal(searched.status, 200, JSON.stringify(searched.json));
  assert.deepEqual((searched.json.chunk as Array<{ name: string }>).map((r) => r.name), ['Rust users']);
});

test('Chatlas verified Synapse\'s signed requests and recorded Synapse as a discovery (contacted-us), once', { timeout: 60_000 }, async () => {
  const asked = chatlas.seen.filter((r) => r.url.startsWith(PUBLIC_ROOMS));
  assert.ok(asked.length >= 2, JSON.stringify(chatlas.seen));
  assert.ok(asked.every((r) => r.origin === SYNAPSE && r.userAgent.startsWith('Synapse/')), JSON.stringify(asked));
  assert.ok(asked.some((r) => r.method === 'POST'), 'the search came as a signed POST');
  await chatlas.settled();
  const found = await rows<{ domain: string; protocol: string; source_domain: string }>(store.db,
    "SELECT domain, protocol, source_domain FROM discoveries WHERE via = 'contacted-us' ORDER BY domain");
  assert.deepEqual(found, [{ domain: SYNAPSE, protocol: 'matrix', source_domain: '' }]);
});

test('the Matrix probe with Chatlas\'s identity reads this Synapse\'s federation directory: its rooms, exposure "federation", its aliases resolved by signed query', { timeout: 90_000 }, async () => {
  const net = testNetContext(dns, { caPem: ca.caPem });
  try {
    const withIdentity = await probeMatrix(net, SYNAPSE, { passId: randomUUID(), federation: { serverName: CHATLAS, key: chatlas.identity.current } });
    assert.equal(withIdentity.snapshot.status, 'ok', withIdentity.snapshot.error);
    assert.deepEqual(withIdentity.rooms.map((r) => r.roomId).sort(), [created['fedlobby']!, created['second']!].sort());
    assert.equal(withIdentity.snapshot.directory, 'federation', 'the client directory needs a token, the federation one answered');
    assert.ok(withIdentity.rooms.every((r) => r.federates === true));
    const aliasSteps = withIdentity.observations.filter((o) => o.step === 'matrix.alias-servers');
    assert.equal(aliasSteps.length, 2, 'both listed aliases are Synapse\'s own');
    assert.ok(aliasSteps.every((o) => o.outcome === 'ok'), JSON.stringify(aliasSteps.map((o) => [o.outcome, o.error])));
    // Without the identity the same Synapse lists nothing, and the report says why.
    const without = await probeMatrix(net, SYNAPSE, { passId: randomUUID() });
    assert.equal(without.rooms.length, 0);
    assert.equal(without.snapshot.directory, 'none');
    assert.ok(without.snapshot.report.some((r) => /no federation identity/.test(r.message)));
  } finally {
    await net.close();
  }
});
