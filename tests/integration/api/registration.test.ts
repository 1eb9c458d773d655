/**
 * Registration end to end on loopback (127.60.1.x): our DNS server, a fake
 * HTTPS server with a test CA, the crawler's guarded DNS client and
 * fetchBounded, a real chdb store, and the route handlers themselves.
 *
 * - dns-owner.test publishes the TXT record → verified by dns-txt;
 * - web-owner.test serves the token at /.well-known/ → verified by well-known;
 * - silent.test publishes nothing → verification fails, stays pending, then expires.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { startFakeServer, text, type FakeServer } from '../../../sim/fake-https.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { configureApi, defaultLimiters, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { createOwnershipNet } from '../../../registration/ownership-net.ts';
import { expireRegistrations } from '../../../registration/expire-registrations.ts';
import { listOptedOutDomains } from '../../../db/queries/registrations/list-opted-out-domains.ts';
import { listListingExclusions } from '../../../db/queries/registrations/list-listing-exclusions.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import * as collection from '../../../site/pages/api/v1/registrations/index.ts';
import * as one from '../../../site/pages/api/v1/registrations/[id].ts';
import * as verify from '../../../site/pages/api/v1/registrations/[id]/verify.ts';
import { call } from './call.ts';
import { TEST_DOMAIN_RULES } from '../../harness/domain-rules.ts';

let store: TestStore;
let dns: DnsServer;
let ca: TestCa;
let web: FakeServer;
let silent: FakeServer;
let ctx: NetContext;
let clock = new Date('2026-11-24T12:00:00Z');
const probed: string[] = [];

/** The probe the crawler would run; here it records the call and returns a result like crawlDomain's. */
async function probe(domain: string): Promise<ProbeResult> {
  probed.push(domain);
  const observedAt = clock;
  return {
    snapshot: {
      passId: '00000000-0000-4000-8000-000000000001', domain, protocol: 'matrix', observedAt, status: 'unreachable', software: 'unknown',
      versionRaw: '', version: '', registration: 'unknown', features: [], specVersions: [], tls: null, dnssec: null, dane: null,
      ipv4: true, ipv6: false, publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: 'net.connect-refused: nothing on 8448',
      report: [{ step: 'matrix.federation-version', level: 'error', message: 'nothing listens on 8448', fix: 'open port 8448' }],
    },
    observations: [], rooms: [], discoveries: [],
  };
}

before(async () => {
  store = await openTestStore();
  ca = await createTestCa();
  const webCert = await ca.issue(['web-owner.test']);
  const silentCert = await ca.issue(['silent.test']);
  web = await startFakeServer({ host: '127.60.1.1', port: 443, tls: webCert, routes: {} });
  silent = await startFakeServer({ host: '127.60.1.2', port: 443, tls: silentCert, routes: {} });
  dns = await startDnsServer({ host: '127.60.1.53', zones: { 'web-owner.test': { A: ['127.60.1.1'] }, 'silent.test': { A: ['127.60.1.2'] }, 'dns-owner.test': { A: ['127.66.0.1'] } } });
  const config = loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_DNS_TIMEOUT_MS: '500', CHATLAS_DNS_ATTEMPTS: '1' } }, { extraCaPems: [ca.caPem] });
  ctx = createNetContext(config);
  configureApi({
    db: store.db,
    ...defaultLimiters(),
    writeLimiter: new RateLimiter({ capacity: 50, refillPerSecond: 1 }),
    cursorKey: randomBytes(32),
    registration: { net: createOwnershipNet(ctx), normalise: TEST_DOMAIN_RULES, probe, maxPendingPerClient: 3, verifyTimeoutMs: 3000 },
    now: () => clock,
    log: () => {},
  });
});

after(async () => {
  resetApi();
  await ctx?.close();
  await web?.close();
  await silent?.close();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

async function register(domain: string, client = '127.60.0.201') {
  const res = await call(collection.POST, '/api/v1/registrations', { method: 'POST', body: { domain }, client });
  return { res, body: await res.json() };
}

test('a domain that publishes the TXT token is verified, and its admin can manage the listing', async () => {
  const { res, body } = await register('DNS-Owner.test.');
  assert.equal(res.status, 201, JSON.stringify(body));
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const reg = body.registration;
  assert.equal(reg.domain, 'dns-owner.test');
  assert.equal(reg.state, 'pending');
  assert.equal(res.headers.get('location'), `/api/v1/registrations/${reg.id}`);
  assert.deepEqual(reg.instructions.dnsTxt.name, '_chatlas-verify.dns-owner.test');
  assert.equal(reg.instructions.deadline, new Date(clock.getTime() + 72 * 3600_000).toISOString());
  // The immediate probe ran and its result was stored like a pass's.
  assert.deepEqual(probed, ['dns-owner.test']);
  assert.equal(body.probe.status, 'unreachable');
  const latest = await rows<{ status: string }>(store.db, "SELECT status FROM servers_latest FINAL WHERE domain = 'dns-owner.test'");
  assert.deepEqual(latest, [{ status: 'unreachable' }]);
  const found = await rows<{ via: string }>(store.db, "SELECT via FROM discoveries WHERE domain = 'dns-owner.test'");
  assert.deepEqual(found, [{ via: 'registration' }]);

  // Before the record exists: no proof, still pending, nothing changes.
  const early = await call(verify.POST, `/api/v1/registrations/${reg.id}/verify`, { method: 'POST', params: { id: reg.id } });
  assert.equal(early.status, 409);
  const earlyBody = await early.json();
  assert.equal(earlyBody.type, '/api/v1/problems/verification-failed');
  assert.equal(earlyBody.evidence[0].method, 'dns-txt');

  dns.set('_chatlas-verify.dns-owner.test', { TXT: ['v=other', reg.instructions.dnsTxt.value] });
  const ok = await call(verify.POST, `/api/v1/registrations/${reg.id}/verify`, { method: 'POST', params: { id: reg.id } });
  const okBody = await ok.json();
  assert.equal(ok.status, 200, JSON.stringify(okBody));
  assert.equal(okBody.registration.state, 'verified');
  assert.equal(okBody.registration.method, 'dns-txt');
  assert.equal(okBody.registration.instructions, null);
  const secret: string = okBody.managementSecret;
  assert.match(secret, /^chatlas_/);
  const stored = await rows<{ admin_secret_hash: string }>(store.db, 'SELECT admin_secret_hash FROM registrations WHERE registration_id = {id:UUID} ORDER BY updated_at DESC LIMIT 1', { id: reg.id });
  assert.equal(stored[0]!.admin_secret_hash.length, 64);
  assert.ok(!JSON.stringify(stored).includes(secret), 'only the hash is stored');

  // A second verify is a conflict, and it does not hand out a new secret.
  const again = await call(verify.POST, `/api/v1/registrations/${reg.id}/verify`, { method: 'POST', params: { id: reg.id } });
  assert.equal(again.status, 409);

  // Management: the wrong secret changes nothing.
  const wrong = await call(one.PATCH, `/api/v1/registrations/${reg.id}`, { method: 'PATCH', params: { id: reg.id }, body: { hidden: true }, headers: { authorization: 'Bearer chatlas_wrong' } });
  assert.equal(wrong.status, 401);
  assert.deepEqual((await listListingExclusions(store.db)).hiddenServers, []);

  clock = new Date(clock.getTime() + 1000);
  const manage = await call(one.PATCH, `/api/v1/registrations/${reg.id}`, {
    method: 'PATCH', params: { id: reg.id }, headers: { authorization: `Bearer ${secret}` },
    body: { description: 'Our <b>community</b> server', contact: 'xmpp:admin@dns-owner.test', hiddenRooms: ['!b:dns-owner.test', '!a:dns-owner.test'] },
  });
  const managed = await manage.json();
  assert.equal(manage.status, 200, JSON.stringify(managed));
  assert.equal(managed.description, 'Our <b>community</b> server');
  assert.deepEqual(managed.hiddenRooms, ['!a:dns-owner.test', '!b:dns-owner.test']);
  assert.deepEqual(await listListingExclusions(store.db), { hiddenServers: [], hiddenRooms: ['!a:dns-owner.test', '!b:dns-owner.test'] });

  // Opt-out: recorded in registrations and opt_outs; the scheduler sees it; lifting it works.
  clock = new Date(clock.getTime() + 1000);
  const out = await call(one.PATCH, `/api/v1/registrations/${reg.id}`, { method: 'PATCH', params: { id: reg.id }, headers: { authorization: `Bearer ${secret}` }, body: { optOut: true } });
  assert.equal((await out.json()).state, 'removed');
  assert.deepEqual(await listOptedOutDomains(store.db), ['dns-owner.test']);
  assert.deepEqual((await listListingExclusions(store.db)).hiddenServers, ['dns-owner.test']);
  clock = new Date(clock.getTime() + 1000);
  const back = await call(one.PATCH, `/api/v1/registrations/${reg.id}`, { method: 'PATCH', params: { id: reg.id }, headers: { authorization: `Bearer ${secret}` }, body: { optOut: false } });
  assert.equal((await back.json()).state, 'verified');
  assert.deepEqual(await listOptedOutDomains(store.db), []);
});

test('a domain that serves the token under /.well-known/ over HTTPS is verified', async () => {
  const { body } = await register('web-owner.test');
  const reg = body.registration;
  web.routes.set('/.well-known/chatlas-verify.txt', text(`${reg.instructions.wellKnown.body}\n`));
  const res = await call(verify.POST, `/api/v1/registrations/${reg.id}/verify`, { method: 'POST', params: { id: reg.id } });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  assert.equal(out.registration.method, 'well-known');
  assert.deepEqual(out.evidence.map((e: { outcome: string }) => e.outcome), ['absent', 'proved']);
  assert.ok(web.requests.some((r) => r.path === '/.well-known/chatlas-verify.txt'));
});

test('a domain that publishes nothing stays pending, then expires', async () => {
  const { body } = await register('silent.test');
  const reg = body.registration;
  const res = await call(verify.POST, `/api/v1/registrations/${reg.id}/verify`, { method: 'POST', params: { id: reg.id } });
  assert.equal(res.status, 409);
  const problem = await res.json();
  assert.deepEqual(problem.evidence.map((e: { method: string; outcome: string }) => `${e.method}:${e.outcome}`), ['dns-txt:absent', 'well-known:absent']);
  const state = await call(one.GET, `/api/v1/registrations/${reg.id}`, { params: { id: reg.id } });
  assert.equal((await state.json()).state, 'pending');

  // 72 hours later the sweep expires it; verifying now is 410 Gone.
  clock = new Date(clock.getTime() + 73 * 3600_000);
  assert.ok((await expireRegistrations(store.db, clock)) >= 1);
  const later = await call(one.GET, `/api/v1/registrations/${reg.id}`, { params: { id: reg.id } });
  const laterBody = await later.json();
  assert.equal(laterBody.state, 'expired');
  assert.equal(laterBody.instructions, null);
  const gone = await call(verify.POST, `/api/v1/registrations/${reg.id}/verify`, { method: 'POST', params: { id: reg.id } });
  assert.equal(gone.status, 410);
  assert.equal(await expireRegistrations(store.db, clock), 0, 'the sweep is idempotent');
});

test('junk is refused, pending registrations are capped per client', async () => {
  // Not of the documented form: the body schema refuses it (400), naming the field.
  for (const domain of ['http://x.org/', '127.0.0.1', 'localhost', 'a..b', 'Bücher.de', ' padded.org']) {
    const { res, body } = await register(domain);
    assert.equal(res.status, 400, domain);
    assert.equal(body.type, '/api/v1/problems/invalid-body', domain);
    assert.equal(body.errors[0].name, 'domain', domain);
  }
  // Of the form, but refused by rule (reserved names, invalid IDNA): 403, said in words.
  for (const [domain, reason] of [['chat.example.com', /reserved/], ['xn--zz.org', /punycode/]] as const) {
    const { res, body } = await register(domain);
    assert.equal(res.status, 403, domain);
    assert.equal(body.type, '/api/v1/problems/invalid-domain', domain);
    assert.match(body.detail, reason, domain);
  }
  const bad = await call(collection.POST, '/api/v1/registrations', { method: 'POST', body: '{"domain":', client: '127.60.0.202' });
  assert.equal(bad.status, 400);
  const client = '127.60.0.203';
  for (let i = 0; i < 3; i++) assert.equal((await register(`cap${i}.test`, client)).res.status, 201);
  const { res, body } = await register('cap3.test', client);
  assert.equal(res.status, 429);
  assert.equal(body.type, '/api/v1/problems/too-many-pending');
  assert.ok(res.headers.get('retry-after'));
  assert.equal((await register('cap3.test', '127.60.0.204')).res.status, 201, 'another client is not affected');
});

test('pending registrations are capped per domain and in total', async () => {
  const deps = (registration: Record<string, unknown>) => configureApi({
    db: store.db, ...defaultLimiters(), writeLimiter: new RateLimiter({ capacity: 50, refillPerSecond: 1 }), cursorKey: randomBytes(32),
    registration: { net: createOwnershipNet(ctx), normalise: TEST_DOMAIN_RULES, ...registration }, now: () => clock, log: () => {},
  });
  deps({ maxPendingPerDomain: 2 });
  assert.equal((await register('contested.test', '127.60.0.210')).res.status, 201);
  assert.equal((await register('contested.test', '127.60.0.211')).res.status, 201);
  const third = await register('contested.test', '127.60.0.212');
  assert.equal(third.res.status, 429);
  assert.match(third.body.detail, /contested\.test already has 2 registrations/);
  deps({ maxPending: 1 });
  const full = await register('another.test', '127.60.0.213');
  assert.equal(full.res.status, 429);
  assert.match(full.body.detail, /too many registrations are waiting/);
});

test('POSTs are rate limited per client with 429, Retry-After and RateLimit headers', async () => {
  configureApi({
    db: store.db, ...defaultLimiters(), writeLimiter: new RateLimiter({ capacity: 2, refillPerSecond: 0.01 }), cursorKey: randomBytes(32),
    registration: { net: createOwnershipNet(ctx), normalise: TEST_DOMAIN_RULES }, now: () => clock, log: () => {},
  });
  const send = () => call(collection.POST, '/api/v1/registrations', { method: 'POST', body: { domain: 'not valid' }, client: '127.60.0.205' });
  assert.equal((await send()).status, 400);
  assert.equal((await send()).status, 400);
  const limited = await send();
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '100');
  assert.equal(limited.headers.get('ratelimit-remaining'), '0');
  assert.equal((await limited.json()).type, '/api/v1/problems/rate-limited');
});
