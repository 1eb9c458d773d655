/**
 * probeMatrix against a simulated federation on 127.20.0.0/16
 * (sim/matrix-federation.ts): delegation, SRV, deprecated SRV,
 * broken JSON, hanging and giant responses, redirect loops, a directory that
 * needs a token, endless pagination, robots.txt, and a delegation into the
 * forbidden 127.66.0.0/16 that must receive zero connections. The support
 * well-known as the guide stores it (issue 15): contacts, 'absent' on a 404,
 * unknown when it could not be read, through a real chdb store.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadCrawlConfig, type CrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import { parseServerOffer, type ProbeResult } from '../../../../crawler/types.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { openTestStore, rows, type TestStore } from '../../../harness/store.ts';
import { crawlDelayOf, retryAfterOf } from '../../../../jobs/crawl/probe-hints.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { giant, hang, json, redirect, text } from '../../../../sim/fake-https.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver, type FakeRoom } from '../../../../sim/matrix-federation.ts';

let ca: TestCa;
let dns: DnsServer;
let ctx: NetContext;
let config: CrawlConfig;
const hosts: FakeHomeserver[] = [];
const tokensSeen: string[] = [];
let forbidden: FakeHomeserver;

const room = (id: string, extra: Partial<FakeRoom> = {}): FakeRoom => ({ room_id: id, num_joined_members: 3, world_readable: false, guest_can_join: false, join_rule: 'public', ...extra });
const DIRECT_ROOMS: FakeRoom[] = [
  room('!a:direct.test', { name: 'Alpha', canonical_alias: '#alpha:direct.test', num_joined_members: 10 }),
  room('!b:elsewhere.test', { name: 'Bridged', topic: 'from elsewhere' }),
  room('!c:direct.test', { canonical_alias: '#c:alias-server.test' }),
  room('!space:direct.test', { name: 'Space', room_type: 'm.space' }),
  room('!opaqueRoomV12Id', { name: 'v12 room' }),
];

before(async () => {
  ca = await createTestCa();
  dns = await startDnsServer({
    host: '127.20.0.53',
    zones: {
      'direct.test': { A: ['127.20.0.1'] },
      'delegated.test': { A: ['127.20.0.2'] },
      'hs.delegated.test': { A: ['127.20.0.3'] },
      'srv.test': { A: ['127.20.0.4'] },
      '_matrix-fed._tcp.srv.test': { SRV: [{ priority: 10, weight: 5, port: 8449, target: 'fed.srv.test' }] },
      'fed.srv.test': { A: ['127.20.0.4'] },
      'legacy.test': { A: ['127.20.0.5'] },
      '_matrix._tcp.legacy.test': { SRV: [{ priority: 10, weight: 5, port: 8450, target: 'legacy.test' }] },
      'brokenjson.test': { A: ['127.20.0.6'] },
      'hanging.test': { A: ['127.20.0.7'] },
      'giant.test': { A: ['127.20.0.8'] },
      'loop.test': { A: ['127.20.0.9'] },
      'forbidden.test': { A: ['127.20.0.10'] },
      'evil.forbidden.test': { A: ['127.66.0.5'] },
      'authdir.test': { A: ['127.20.0.11'] },
      'endless.test': { A: ['127.20.0.12'] },
      'robots.test': { A: ['127.20.0.13'] },
      'badcert.test': { A: ['127.20.0.14'] },
      'polite.test': { A: ['127.20.0.15'] },
    },
  });
  const start = async (address: string, names: string[], listeners: Parameters<typeof startHomeserver>[3]) => {
    const h = await startHomeserver(ca, address, names, listeners);
    hosts.push(h);
    return h;
  };
  await start('127.20.0.1', ['direct.test'], {
    443: { '/.well-known/matrix/support': json({ contacts: [{ matrix_id: '@admin:contact-server.test', role: 'm.role.admin' }], support_page: 'https://direct.test/help' }) },
    8448: matrixApiRoutes({ serverName: 'direct.test', rooms: DIRECT_ROOMS, maxPage: 2, register: { status: 401, body: { session: 's', flows: [{ stages: ['m.login.dummy'] }], params: {} } } }, tokensSeen),
  });
  await start('127.20.0.2', ['delegated.test'], {
    443: {
      '/.well-known/matrix/server': json({ 'm.server': 'hs.delegated.test:8443' }, 200, { 'cache-control': 'max-age=600' }),
      '/.well-known/matrix/client': json({ 'm.homeserver': { base_url: 'https://hs.delegated.test:8443' } }),
    },
  });
  await start('127.20.0.3', ['hs.delegated.test'], { 8443: matrixApiRoutes({ serverName: 'delegated.test', software: { name: 'Dendrite', version: '0.13.7+8e5b6e1' } }) });
  // Spec: with SRV on the server name, the certificate is for the server name, not the SRV target.
  await start('127.20.0.4', ['srv.test'], {
    8449: { ...matrixApiRoutes({ serverName: 'srv.test', software: { name: 'conduwuit', version: '0.4.6 (8c2b0e2)' } }), '/_conduwuit/local_user_count': json({ count: 42 }) },
  });
  // A certificate for another name (a common misconfiguration).
  await start('127.20.0.14', ['wrong-name.test'], { 8448: matrixApiRoutes({ serverName: 'badcert.test' }) });
  await start('127.20.0.5', ['legacy.test'], { 8450: matrixApiRoutes({ serverName: 'legacy.test' }) });
  await start('127.20.0.6', ['brokenjson.test'], {
    443: { '/.well-known/matrix/server': text('{"m.server": ', 200, { 'content-type': 'application/json' }) },
    8448: { '/_matrix/federation/v1/version': text('{"server": {"name": "Syn', 200, { 'content-type': 'application/json' }) },
  });
  await start('127.20.0.7', ['hanging.test'], { 443: { '*': hang() }, 8448: { '*': hang() } });
  await start('127.20.0.8', ['giant.test'], {
    443: { '/.well-known/matrix/server': giant(10 * 1024 * 1024) },
    8448: { ...matrixApiRoutes({ serverName: 'giant.test' }), '/_matrix/federation/v1/version': giant(10 * 1024 * 1024, { declareLength: true }), '/_matrix/client/versions': giant(10 * 1024 * 1024) },
  });
  await start('127.20.0.9', ['loop.test'], { 443: { '/.well-known/matrix/server': redirect('/a'), '/a': redirect('/b'), '/b': redirect('/a') } });
  await start('127.20.0.10', ['forbidden.test'], { 443: { '/.well-known/matrix/server': json({ 'm.server': 'evil.forbidden.test:8448' }) } });
  forbidden = await start('127.66.0.5', ['evil.forbidden.test'], { 443: matrixApiRoutes({ serverName: 'forbidden.test' }), 8448: matrixApiRoutes({ serverName: 'forbidden.test' }) });
  await start('127.20.0.11', ['authdir.test'], { 8448: matrixApiRoutes({ serverName: 'authdir.test', directoryAuthRequired: true }) });
  await start('127.20.0.12', ['endless.test'], { 8448: matrixApiRoutes({ serverName: 'endless.test', endless: true }) });
  await start('127.20.0.13', ['robots.test'], {
    8448: { ...matrixApiRoutes({ serverName: 'robots.test', rooms: [room('!x:robots.test')] }), '/robots.txt': text('User-agent: *\nDisallow: /_matrix/client/v3/publicRooms\n') },
  });
  // Asks for a crawl-delay and answers the directory with 429 + Retry-After (Synapse's ratelimiter
  // sends 429 M_LIMIT_EXCEEDED with retry_after_ms; a reverse proxy in front sends Retry-After).
  await start('127.20.0.15', ['polite.test'], {
    8448: {
      ...matrixApiRoutes({ serverName: 'polite.test' }),
      '/robots.txt': text('User-agent: *\nCrawl-delay: 0.01\n'),
      '/_matrix/client/v3/publicRooms': json({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 120000 }, 429, { 'retry-after': '120' }),
    },
  });
  config = loadCrawlConfig({
    env: {
      CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16',
      CHATLAS_STEP_TIMEOUT_MS: '1000', CHATLAS_HEADERS_TIMEOUT_MS: '1000', CHATLAS_BODY_TIMEOUT_MS: '1000', CHATLAS_CONNECT_TIMEOUT_MS: '1000',
      CHATLAS_DNS_TIMEOUT_MS: '500', CHATLAS_MAX_BODY_BYTES: String(256 * 1024), CHATLAS_PROBE_TIMEOUT_MS: '30000',
    },
  }, { extraCaPems: [ca.caPem] });
  ctx = createNetContext(config);
});

after(async () => {
  await ctx?.close();
  await Promise.all(hosts.map((h) => h.close()));
  await dns?.close();
  await ca?.cleanup();
});

const probe = (domain: string, rooms: Record<string, number> = {}): Promise<ProbeResult> => probeMatrix(ctx, domain, { passId: randomUUID(), rooms });
const outcome = (r: ProbeResult, step: string): string | undefined => r.observations.find((o) => o.step === step)?.outcome;

test('direct server on 8448: identified, paginated with URL-encoded tokens, rooms and discoveries', async () => {
  const r = await probe('direct.test', { pageSize: 2 });
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.equal(outcome(r, 'matrix.well-known-server'), 'absent');
  assert.equal(r.snapshot.endpoint, 'direct.test:8448');
  assert.deepEqual([r.snapshot.software, r.snapshot.version], ['synapse', '1.163.2']);
  assert.equal(r.snapshot.registration, 'open');
  assert.deepEqual(r.rooms.map((x) => x.roomId).sort(), DIRECT_ROOMS.map((x) => x.room_id).sort());
  assert.deepEqual(tokensSeen, ['t+2/a=b&c', 't+4/a=b&c'], 'since arrived intact (URL-encoded)');
  assert.equal(r.rooms.find((x) => x.roomId === '!space:direct.test')?.roomType, 'space');
  const found = Object.fromEntries(r.discoveries.map((d) => [d.domain, d.via]));
  assert.deepEqual(found, { 'elsewhere.test': 'room-id', 'alias-server.test': 'room-alias', 'contact-server.test': 'contact' });
  assert.ok(r.discoveries.every((d) => d.sourceDomain === 'direct.test'));
  assert.equal(r.snapshot.publicMembers, 10 + 3 * 4);
});

test('well-known delegation to host:port: Host header and certificate for the delegated name', async () => {
  const r = await probe('delegated.test');
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.equal(r.snapshot.endpoint, 'hs.delegated.test:8443');
  assert.deepEqual([r.snapshot.software, r.snapshot.versionRaw, r.snapshot.version], ['dendrite', '0.13.7+8e5b6e1', '0.13.7']);
  const api = hosts.find((h) => h.servers.some((s) => s.host === '127.20.0.3'))!.servers[0]!;
  assert.ok(api.requests.some((q) => q.path === '/_matrix/federation/v1/version' && q.headers.host === 'hs.delegated.test:8443'));
  // The second probe uses the cached well-known (Cache-Control max-age=600).
  const wk = hosts.find((h) => h.servers.some((s) => s.host === '127.20.0.2'))!.servers[0]!;
  const before = wk.requests.filter((q) => q.path === '/.well-known/matrix/server').length;
  const again = await probe('delegated.test');
  assert.equal(wk.requests.filter((q) => q.path === '/.well-known/matrix/server').length, before);
  assert.equal(again.observations.find((o) => o.step === 'matrix.well-known-server')?.facts['cached'], true);
});

test('SRV _matrix-fed._tcp: connects to the target, certificate and Host are the server name', async () => {
  const r = await probe('srv.test');
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.equal(r.snapshot.endpoint, 'fed.srv.test:8449');
  assert.equal(r.snapshot.tls?.nameValid, true);
  assert.equal(r.snapshot.software, 'conduwuit');
  assert.equal(r.snapshot.users, 42, 'conduwuit local user count');
  const api = hosts.find((h) => h.servers.some((s) => s.host === '127.20.0.4'))!.servers[0]!;
  assert.ok(api.requests.some((q) => q.path === '/_matrix/federation/v1/version' && q.headers.host === 'srv.test'));
});

test('DNSSEC of the delegation and IPv6 are recorded as the XMPP probe records them (issue 13 item 7)', async () => {
  const r = await probe('srv.test');
  assert.equal(r.snapshot.dnssec, false, 'SRV answered without the AD bit');
  assert.equal(r.snapshot.ipv4, true);
  assert.equal(r.snapshot.ipv6, false, 'no AAAA record for fed.srv.test: a no, not unknown');
  // A validating resolver: every SRV answer carries the AD bit (a new context: its DNS cache holds the old answers).
  dns.setAuthenticated(true);
  const signed = createNetContext(config);
  try {
    const s = await probeMatrix(signed, 'srv.test', { passId: randomUUID() });
    assert.equal(s.snapshot.status, 'ok', s.snapshot.error);
    assert.equal(s.snapshot.dnssec, true);
  } finally {
    dns.setAuthenticated(false);
    await signed.close();
  }
});

test('deprecated _matrix._tcp SRV works and is reported with a fix', async () => {
  const r = await probe('legacy.test');
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.equal(outcome(r, 'dns.srv-matrix-fed'), 'absent');
  assert.equal(outcome(r, 'dns.srv-matrix'), 'ok');
  assert.ok(r.snapshot.report.some((i) => i.level === 'warn' && i.fix?.includes('_matrix-fed._tcp.legacy.test')));
});

test('broken JSON: the well-known is ignored with an explanation; a TLS server on 8448 answering broken JSON is a broken Matrix server', async () => {
  const r = await probe('brokenjson.test');
  assert.equal(outcome(r, 'matrix.well-known-server'), 'json.invalid');
  assert.equal(outcome(r, 'matrix.federation-version'), 'json.invalid');
  // Something answers on the federation port (issue 13 item 7: a sign of Matrix), just not with the API: an error, counted.
  assert.equal(outcome(r, 'tls.federation'), 'ok');
  assert.equal(r.snapshot.status, 'error');
  assert.ok(r.snapshot.report.some((i) => i.step === 'matrix.well-known-server' && i.level === 'error' && i.fix));
});

test('a hanging server times out step by step and the probe returns', async () => {
  const r = await probe('hanging.test');
  assert.equal(outcome(r, 'matrix.well-known-server'), 'http.timeout');
  assert.equal(outcome(r, 'matrix.federation-version'), 'http.timeout');
  assert.equal(r.snapshot.status, 'unreachable');
  assert.match(r.snapshot.error, /timed out|deadline|timeout/i);
});

test('giant bodies are cut at the byte cap', async () => {
  const r = await probe('giant.test');
  assert.equal(outcome(r, 'matrix.well-known-server'), 'http.too-large');
  assert.equal(outcome(r, 'matrix.federation-version'), 'http.too-large');
  assert.ok(r.observations.every((o) => o.raw.length <= 64 * 1024));
});

test('a redirect loop on the well-known is recorded, then port 8448 is tried', async () => {
  const r = await probe('loop.test');
  assert.equal(outcome(r, 'matrix.well-known-server'), 'http.redirect-limit');
  assert.equal(r.observations.find((o) => o.step === 'tls.federation')?.facts['target'], 'loop.test:8448');
  assert.equal(outcome(r, 'tls.federation'), 'net.connect-refused');
  // Its web server on 443 answers HTTP, but no Matrix API anywhere.
  assert.equal(r.snapshot.status, 'not-a-server');
});

test('delegation into a forbidden range: refused, zero connections reach it', async () => {
  const r = await probe('forbidden.test');
  assert.equal(outcome(r, 'matrix.well-known-server'), 'ok');
  assert.equal(outcome(r, 'tls.federation'), 'net.forbidden-address');
  assert.notEqual(r.snapshot.status, 'ok');
  assert.equal(forbidden.servers.reduce((n, s) => n + s.connections, 0), 0);
});

test('a directory that needs a token is recorded as auth-required, not a failure', async () => {
  const r = await probe('authdir.test');
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.equal(outcome(r, 'matrix.public-rooms'), 'auth-required');
  assert.deepEqual(r.rooms, []);
});

test('endless pagination stops at the page cap', async () => {
  const r = await probe('endless.test', { maxPages: 4 });
  assert.equal(r.observations.filter((o) => o.step === 'matrix.public-rooms').length, 4);
  assert.equal(r.rooms.length, 4);
  assert.equal(r.observations.find((o) => o.step === 'matrix.summary')?.facts['roomsOutcome'], 'truncated');
});

test('robots.txt disallowing the directory is honoured', async () => {
  const r = await probe('robots.test');
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  assert.equal(outcome(r, 'matrix.public-rooms'), 'policy.robots-disallowed');
  assert.deepEqual(r.rooms, []);
  const api = hosts.find((h) => h.servers.some((s) => s.host === '127.20.0.13'))!.servers[0]!;
  assert.ok(!api.requests.some((q) => q.path === '/_matrix/client/v3/publicRooms'));
});

test('Retry-After and robots.txt Crawl-delay are kept in the facts, where the schedule reads them', async () => {
  const r = await probe('polite.test');
  const rooms = r.observations.find((o) => o.step === 'matrix.public-rooms');
  assert.equal(rooms?.facts['status'], 429);
  assert.equal(rooms?.facts['retryAfter'], '120');
  assert.equal(rooms?.facts['crawlDelaySeconds'], 0.01);
  const at = rooms!.observedAt.getTime();
  const until = retryAfterOf(r)!.getTime();
  assert.ok(until >= at + 120_000 && until < at + 130_000, `Retry-After read as ${new Date(until).toISOString()}`);
  assert.equal(crawlDelayOf(r), 10);
});

test('TLS facts come from the federation requests\' own verified connection: no connection just to read them', async () => {
  const servers = hosts.find((h) => h.servers.some((s) => s.host === '127.20.0.1'))!.servers;
  const fed = servers.find((s) => s.port === 8448)!;
  // One connection per host: the probe's concurrent client steps (login flows beside auth metadata,
  // the register probe beside the room walk) share it instead of opening a second one whenever the
  // first answer is slow (a loaded machine), so a second connection here can only be one made to read TLS.
  const single = createNetContext({ ...config, perHostConcurrency: 1 });
  const before = fed.connections;
  let r: ProbeResult;
  try { r = await probeMatrix(single, 'direct.test', { passId: randomUUID() }); } finally { await single.close(); }
  const tls = r.observations.find((o) => o.step === 'tls.federation');
  assert.equal(tls?.outcome, 'ok');
  assert.equal(tls?.facts['from'], 'request');
  assert.equal(tls?.facts['chainValid'], true);
  assert.equal(tls?.facts['nameValid'], true);
  assert.match(String(tls?.facts['protocol']), /^TLSv1\.[23]$/);
  assert.match(String(tls?.facts['issuer']), /CN=/);
  assert.ok(r.snapshot.tls?.validTo instanceof Date);
  // One connection serves every request (an inspection connection of its own made it two).
  assert.equal(fed.connections - before, 1, `${fed.connections - before} connections to the federation port in one probe`);
});

test('a probe closes its connections when it ends (none left idling in keep-alive)', async () => {
  const r = await probe('direct.test');
  assert.equal(r.snapshot.status, 'ok', r.snapshot.error);
  const servers = hosts.find((h) => h.servers.some((s) => s.host === '127.20.0.1'))!.servers;
  assert.ok(servers.reduce((n, s) => n + s.connections, 0) > 0);
  // The server side sees each close a few event-loop turns later (the FIN is already in the kernel
  // when the probe returns); keep-alive would hold them 4 s. Counting turns, not milliseconds, keeps
  // a loaded machine from failing the test and a keep-alive regression from passing it.
  for (let turn = 0; turn < 200 && servers.some((s) => s.openConnections > 0); turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(servers.map((s) => s.openConnections), servers.map(() => 0));
});

test('a certificate for another name: recorded with a fix, requests refused', async () => {
  const r = await probe('badcert.test');
  assert.equal(outcome(r, 'tls.federation'), 'tls.name-mismatch');
  assert.equal(r.snapshot.tls?.nameValid, false);
  assert.match(outcome(r, 'matrix.federation-version') ?? '', /^tls\./);
  assert.ok(r.snapshot.report.some((i) => i.step === 'tls.federation' && i.level === 'error' && i.fix?.includes('badcert.test')));
  assert.notEqual(r.snapshot.status, 'ok');
});

test('an invalid server name is an error result, never an exception', async () => {
  const r = await probe('not a server name');
  assert.equal(r.snapshot.status, 'error');
  assert.equal(outcome(r, 'matrix.server-name'), 'matrix.invalid-server-name');
});

test('the support well-known in the stored offer: contacts and page; absent on a 404; unknown when nothing answered', async (t) => {
  let store: TestStore | undefined;
  t.after(async () => store?.cleanup());
  store = await openTestStore();
  // direct.test serves one; delegated.test's web server answers 404; srv.test has no web server at its name.
  const probed = await Promise.all(['direct.test', 'delegated.test', 'srv.test'].map((d) => probe(d)));
  for (const r of probed) assert.equal(r.snapshot.status, 'ok', `${r.snapshot.domain}: ${r.snapshot.error}`);
  await insertProbeResults(store.db, probed);
  const stored = await rows<{ domain: string; offer: string; upload_max: number | null }>(store.db, 'SELECT domain, offer, upload_max FROM server_snapshots ORDER BY domain');
  const offers = Object.fromEntries(stored.map((r) => [r.domain, parseServerOffer(r.offer)]));
  assert.deepEqual(offers['direct.test'], {
    provider: null, contacts: null,
    support: { contacts: [{ role: 'm.role.admin', matrixId: '@admin:contact-server.test', email: '' }], supportPage: 'https://direct.test/help' },
  });
  assert.deepEqual(offers['delegated.test'], { provider: null, support: 'absent', contacts: null });
  assert.equal(outcome(probed[2]!, 'matrix.well-known-support'), 'net.connect-refused');
  assert.deepEqual(offers['srv.test'], { provider: null, support: null, contacts: null });
  assert.deepEqual(stored.map((r) => r.upload_max), [null, null, null], 'no upload limit on Matrix');
});
