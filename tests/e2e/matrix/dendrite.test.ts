/**
 * End to end against the REAL Dendrite (matrix-org/dendrite from the Go
 * module proxy, /opt/chatlas-dendrite): started by this test on 127.22.0.1
 * with SQLite and the checked-in tests/harness/dendrite/dendrite.yaml, a
 * test-CA certificate, behind our DNS server on 127.22.0.53:53. Two public
 * rooms and a private one are created through its client API; Chatlas then
 * reads its federation room directory with signed requests, through the
 * crawler's guarded network layer.
 *
 * What Dendrite 0.13 does differently from Synapse: its federation
 * `publicRooms` is not behind request authentication (federationapi/routing
 * `MakeExternalAPI`, not `MakeFedAPI`), so it answers unsigned requests too;
 * and it ignores `filter.generic_search_term` (a search must filter itself).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { fetchBounded } from '../../../crawler/net/http.ts';
import { ProbeError } from '../../../crawler/errors.ts';
import { signFederationRequest } from '../../../crawler/protocol/matrix-request-auth.ts';
import { generateSigningKey } from '../../../crawler/protocol/matrix-signing.ts';
import { parsePublicRoomsResponse } from '../../../crawler/protocol/matrix-rooms.ts';
import { probeDomain } from '../../../crawler/index.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { DENDRITE_SERVER_NAME, installedDendriteVersion, startDendrite, type DendriteHandle } from '../../harness/dendrite.ts';

const ADDRESS = '127.22.0.1';
const BASE = `https://${DENDRITE_SERVER_NAME}:8448`;
const PUBLIC_ROOMS = '/_matrix/federation/v1/publicRooms';
/** The name Chatlas signs as; Dendrite does not check it (see the file header), so it needs no key server. */
const CHATLAS = 'chatlas.test';
const key = generateSigningKey();

let ca: TestCa;
let dns: DnsServer;
let dendrite: DendriteHandle;
let net: NetContext;
const created: Record<string, string> = {};

async function ask(method: 'GET' | 'POST', uri: string, opts: { content?: unknown; signed?: boolean } = {}) {
  const headers: Record<string, string> = opts.content !== undefined ? { 'content-type': 'application/json' } : {};
  if (opts.signed !== false) {
    const auth = signFederationRequest({ method, uri, origin: CHATLAS, destination: DENDRITE_SERVER_NAME, ...(opts.content !== undefined ? { content: opts.content } : {}) }, key);
    if (auth instanceof ProbeError) throw auth;
    headers['authorization'] = auth;
  }
  const res = await fetchBounded(net, `${BASE}${uri}`, {
    method, accept: 'application/json', maxRedirects: 0, headers, ...(opts.content !== undefined ? { body: JSON.stringify(opts.content) } : {}),
  });
  return { status: res.status, text: res.bodyText, json: JSON.parse(res.bodyText) as any };
}

before(async () => {
  ca = await createTestCa();
  const cert = await ca.issue([DENDRITE_SERVER_NAME]);
  dns = await startDnsServer({ host: '127.22.0.53', port: 53, zones: { [DENDRITE_SERVER_NAME]: { A: [ADDRESS] } } });
  dendrite = await startDendrite({ address: ADDRESS, certPem: cert.certPem, keyPem: cert.keyPem, caPem: ca.caPem, dns: { host: dns.host, port: dns.port } });
  const make = async (name: string, body: unknown) => {
    const r = await dendrite.api('POST', '/_matrix/client/v3/createRoom', body);
    assert.equal(r.status, 200, `createRoom ${name}: ${JSON.stringify(r.json)}\n${dendrite.logTail()}`);
    created[name] = r.json.room_id;
  };
  await make('lobby', { preset: 'public_chat', visibility: 'public', room_alias_name: 'lobby', name: 'Dendrite lobby' });
  await make('go', { preset: 'public_chat', visibility: 'public', room_alias_name: 'gophers', name: 'Go users', topic: 'Goroutines and channels' });
  await make('private', { preset: 'private_chat', visibility: 'private', name: 'Not listed' });
  net = createNetContext(loadCrawlConfig({
    env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' },
  }, { extraCaPems: [ca.caPem] }));
});

after(async () => {
  await net?.close();
  await dendrite?.stop();
  await dns?.close();
  await ca?.cleanup();
});

test('Dendrite reports itself on the federation version endpoint, with the installed version', async () => {
  const version = await ask('GET', '/_matrix/federation/v1/version', { signed: false });
  assert.equal(version.status, 200, version.text);
  assert.equal(version.json.server.name, 'Dendrite');
  assert.ok(String(version.json.server.version).startsWith(installedDendriteVersion()), version.text);
});

test('a signed GET publicRooms answers with Dendrite\'s public rooms, which the crawler\'s parser reads', async () => {
  const res = await ask('GET', PUBLIC_ROOMS);
  assert.equal(res.status, 200, `${res.text}\n${dendrite.logTail()}`);
  const page = parsePublicRoomsResponse(res.status, res.text);
  assert.ok(!(page instanceof ProbeError) && 'rooms' in page, JSON.stringify(page));
  assert.deepEqual(page.rooms.map((r) => r.roomId).sort(), [created['lobby']!, created['go']!].sort());
  const go = page.rooms.find((r) => r.roomId === created['go']);
  assert.equal(go?.address, `#gophers:${DENDRITE_SERVER_NAME}`);
  assert.equal(go?.topic, 'Goroutines and channels');
  assert.ok(!page.rooms.some((r) => r.name === 'Not listed'));
});

test('a signed POST pages by limit and since, but Dendrite ignores filter.generic_search_term: every room comes back', async () => {
  // federationapi/routing/publicrooms.go reads the filter into its request and never applies it.
  const first = await ask('POST', PUBLIC_ROOMS, { content: { limit: 1, filter: { generic_search_term: 'Goroutines' } } });
  assert.equal(first.status, 200, first.text);
  assert.equal((first.json.chunk as unknown[]).length, 1);
  assert.equal(first.json.next_batch, '1');
  assert.equal(first.json.total_room_count_estimate, 2);
  const second = await ask('POST', PUBLIC_ROOMS, { content: { limit: 1, since: first.json.next_batch, filter: { generic_search_term: 'Goroutines' } } });
  assert.equal(second.status, 200, second.text);
  const ids = [...first.json.chunk, ...second.json.chunk].map((r: { room_id: string }) => r.room_id).sort();
  assert.deepEqual(ids, [created['lobby']!, created['go']!].sort(), 'the room that does not match the term is listed too');
});

test('Dendrite\'s federation directory answers unsigned requests as well (no request authentication on it)', async () => {
  const res = await ask('GET', PUBLIC_ROOMS, { signed: false });
  assert.equal(res.status, 200, res.text);
  assert.equal((res.json.chunk as unknown[]).length, 2);
});

test('probed for both protocols, as a seed without one is: a Matrix server, and not-a-server for XMPP (issue 13 item 7)', async () => {
  // Three real Dendrite servers once showed as six servers, three of them "XMPP, uptime 0%".
  const matrix = await probeDomain(net, DENDRITE_SERVER_NAME, 'matrix', { passId: 'e2e' });
  assert.equal(matrix.snapshot.status, 'ok', matrix.snapshot.error);
  assert.equal(matrix.snapshot.software, 'dendrite');
  // No AAAA record for it: IPv6 is a "no", as the XMPP probe records it.
  assert.equal(matrix.snapshot.ipv6, false);
  const xmpp = await probeDomain(net, DENDRITE_SERVER_NAME, 'xmpp', { passId: 'e2e' });
  const outcomes = Object.fromEntries(xmpp.observations.map((o) => [o.step, o.outcome]));
  assert.equal(outcomes['dns.srv.xmpp-client'], 'nxdomain');
  assert.equal(outcomes['xmpp.c2s-connect'], 'net.connect-refused', 'nothing of Dendrite listens on 5222');
  assert.equal(xmpp.snapshot.status, 'not-a-server', xmpp.snapshot.error);
  assert.ok(xmpp.snapshot.report.some((i) => i.step === 'xmpp.status' && i.message.startsWith(`No sign of XMPP at ${DENDRITE_SERVER_NAME}`)));
});
