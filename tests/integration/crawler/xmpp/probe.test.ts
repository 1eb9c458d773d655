/**
 * probeXmpp against simulated stream servers on 127.30.x whose bytes are the
 * ones captured from real Prosody 0.12.3 and ejabberd 23.01
 * (tests/fixtures/rfc6120-features, xep0077-register), plus hostile servers
 * (tests/fixtures/hostile). Every name is resolved by our DNS server on
 * 127.30.0.53; 127.66.0.0/16 is denied and watched for connections.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { probeXmpp } from '../../../../crawler/probe/xmpp.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { retryAfterOf } from '../../../../jobs/crawl/probe-hints.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { startStreamServer, type StreamBehaviour, type StreamServer } from '../../../harness/xmpp-stream-server.ts';
import { startFakeServer, json, text, type FakeServer } from '../../../../sim/fake-https.ts';

const fx = (p: string): string => readFileSync(new URL(`../../../fixtures/${p}`, import.meta.url), 'utf8');
const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='x.test' id='h1' version='1.0'>";

let dns: DnsServer;
let ca: TestCa;
let ctx: NetContext;
const servers: StreamServer[] = [];
let forbidden: StreamServer;
let web: FakeServer;

/** One simulated domain: c2s on 5222 (and s2s on 5269 when given) at `ip`, SRV records pointing there. */
async function simulate(domain: string, ip: string, c2s: StreamBehaviour, s2s?: StreamBehaviour): Promise<void> {
  const cert = await ca.issue([domain]);
  const tlsOpt = { certPem: cert.certPem, keyPem: cert.keyPem };
  servers.push(await startStreamServer({ host: ip, port: 5222, behaviour: c2s, tls: tlsOpt }));
  dns.set(`xmpp.${domain}`, { A: [ip] });
  dns.set(`_xmpp-client._tcp.${domain}`, { SRV: [{ priority: 0, weight: 0, port: 5222, target: `xmpp.${domain}` }] });
  if (s2s) {
    servers.push(await startStreamServer({ host: ip, port: 5269, behaviour: s2s, tls: tlsOpt }));
    dns.set(`_xmpp-server._tcp.${domain}`, { SRV: [{ priority: 0, weight: 0, port: 5269, target: `xmpp.${domain}` }] });
  }
}

before(async () => {
  dns = await startDnsServer({ host: '127.30.0.53' });
  ca = await createTestCa();
  ctx = createNetContext(loadCrawlConfig(
    { env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_STEP_TIMEOUT_MS: '1500', CHATLAS_CONNECT_TIMEOUT_MS: '1000', CHATLAS_DNS_TIMEOUT_MS: '500' } },
    { extraCaPems: [ca.caPem] },
  ));
  await simulate('prosody-replay.test', '127.30.1.1',
    { kind: 'replay', preTls: fx('rfc6120-features/prosody-0.12.3-c2s-pre-tls.input.xml'), postTls: fx('rfc6120-features/prosody-0.12.3-c2s-post-tls.input.xml') },
    { kind: 'replay', preTls: fx('rfc6120-features/prosody-0.12.3-s2s-pre-tls.input.xml'), postTls: fx('rfc6120-features/prosody-0.12.3-s2s-post-tls.input.xml') });
  await simulate('ejabberd-replay.test', '127.30.1.2',
    { kind: 'replay', preTls: fx('rfc6120-features/ejabberd-23.01-c2s-pre-tls.input.xml'), postTls: fx('rfc6120-features/ejabberd-23.01-c2s-post-tls.input.xml'), register: fx('xep0077-register/ejabberd-23.01-loopback-trusted.input.xml') },
    { kind: 'replay', preTls: fx('rfc6120-features/ejabberd-23.01-s2s-pre-tls.input.xml'), postTls: fx('rfc6120-features/ejabberd-23.01-s2s-post-tls.input.xml') });
  await simulate('billion.test', '127.30.2.1', { kind: 'bytes', data: fx('hostile/billion-laughs.xml') });
  await simulate('doctype.test', '127.30.2.2', { kind: 'bytes', data: fx('hostile/doctype-external-entity.xml') });
  await simulate('deep.test', '127.30.2.3', { kind: 'bytes', data: fx('hostile/deep-nesting.xml') });
  await simulate('never-ending.test', '127.30.2.4', { kind: 'bytes', data: fx('hostile/never-ending-features.xml') });
  await simulate('silent.test', '127.30.2.5', { kind: 'silent' });
  await simulate('trickle.test', '127.30.2.6', { kind: 'trickle', data: fx('rfc6120-features/prosody-0.12.3-c2s-pre-tls.input.xml'), intervalMs: 1000 });
  await simulate('flood.test', '127.30.2.7', { kind: 'flood', header: HEADER, size: 4 * 1024 * 1024 });
  // A domain whose SRV target resolves into the forbidden block.
  forbidden = await startStreamServer({ host: '127.66.0.5', port: 5222, behaviour: { kind: 'silent' } });
  dns.set('xmpp.evil.test', { A: ['127.66.0.5'] });
  dns.set('_xmpp-client._tcp.evil.test', { SRV: [{ priority: 0, weight: 0, port: 5222, target: 'xmpp.evil.test' }] });
  // consent.test: ejabberd replay plus HTTPS with the captured ejabberd host-meta and a provider
  // file that withholds consent to server testing.
  await simulate('consent.test', '127.30.1.3',
    { kind: 'replay', preTls: fx('rfc6120-features/ejabberd-23.01-c2s-pre-tls.input.xml'), postTls: fx('rfc6120-features/ejabberd-23.01-c2s-post-tls.input.xml'), register: fx('xep0077-register/ejabberd-23.01-loopback-trusted.input.xml') });
  dns.set('consent.test', { A: ['127.30.1.3'] });
  const webCert = await ca.issue(['consent.test']);
  web = await startFakeServer({ host: '127.30.1.3', port: 443, tls: webCert, routes: {
    '/.well-known/host-meta': text(fx('xep0156-host-meta/ejabberd-23.01-host-meta.input.xml'), 200, { 'content-type': 'application/xrd+xml' }),
    '/.well-known/host-meta.json': text(fx('xep0156-host-meta/ejabberd-23.01-host-meta.input.json'), 200, { 'content-type': 'application/json' }),
    '/.well-known/xmpp-provider-v2.json': json({ serverTesting: false, website: { en: 'https://consent.test' } }),
  } });
  // "." target: c2s decidedly not offered.
  dns.set('_xmpp-client._tcp.nothing.test', { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] });
  dns.set('_xmpp-server._tcp.nothing.test', { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] });
});

after(async () => {
  await ctx?.close();
  for (const s of servers) await s.close();
  await forbidden?.close();
  await web?.close();
  await dns?.close();
  await ca?.cleanup();
});

const probe = (domain: string): Promise<ProbeResult> => probeXmpp(ctx, domain, { passId: 'it', skipHttp: true });
const step = (r: ProbeResult, name: string) => r.observations.filter((o) => o.step === name);

test('replayed Prosody 0.12.3: features before/after STARTTLS, TLS facts, dialback on s2s, no IBR -> closed', async () => {
  const r = await probe('prosody-replay.test');
  assert.equal(r.snapshot.status, 'ok');
  assert.equal(step(r, 'xmpp.c2s-features-pre-tls')[0]?.outcome, 'ok');
  const post = step(r, 'xmpp.c2s-features')[0];
  assert.deepEqual((post?.facts['features'] as { mechanisms: string[] }).mechanisms, ['SCRAM-SHA-1', 'PLAIN']);
  assert.equal(r.snapshot.tls?.nameValid, true);
  assert.equal(r.snapshot.tls?.chainValid, true);
  assert.equal(r.snapshot.registration, 'closed');
  assert.ok(r.snapshot.features.includes('{urn:xmpp:features:dialback}dialback') === false, 'dialback is s2s, not a c2s feature');
  assert.deepEqual((step(r, 'xmpp.s2s-features-pre-tls')[0]?.facts['features'] as { dialback: unknown }).dialback, { errors: false });
  assert.equal(r.snapshot.endpoint, 'xmpp.prosody-replay.test:5222');
  // Without an account: said, not guessed.
  assert.equal(step(r, 'xmpp.observer')[0]?.outcome, 'no-account');
  assert.deepEqual([r.snapshot.software, step(r, 'xmpp.identify')[0]?.facts['confidence']], ['prosody', 'low']);
  assert.deepEqual(r.rooms, []);
});

test('replayed ejabberd 23.01: IBR advertised and the form shown -> advertised, never open', async () => {
  const r = await probe('ejabberd-replay.test');
  assert.equal(r.snapshot.status, 'ok');
  assert.equal(r.snapshot.registration, 'advertised');
  assert.equal(step(r, 'xmpp.register-form')[0]?.outcome, 'form');
  assert.ok(r.snapshot.features.includes('{http://jabber.org/features/iq-register}register'));
  assert.equal(r.snapshot.software, 'ejabberd');
  // s2s after TLS offers SASL EXTERNAL and dialback with errors.
  const s2s = step(r, 'xmpp.s2s-features')[0]?.facts['features'] as { mechanisms: string[]; dialback: unknown };
  assert.deepEqual(s2s.mechanisms, ['EXTERNAL']);
  assert.deepEqual(s2s.dialback, { errors: true });
});

const hostile: [string, string][] = [
  ['billion.test', 'xml.restricted'],
  ['doctype.test', 'xml.restricted'],
  ['deep.test', 'xml.too-deep'],
  ['never-ending.test', 'xmpp.timeout'],
  ['silent.test', 'xmpp.timeout'],
  ['trickle.test', 'xmpp.timeout'],
  ['flood.test', 'xmpp.too-large'],
];
for (const [domain, code] of hostile) {
  test(`hostile ${domain}: recorded ${code}, status error, no crash or hang`, async () => {
    const r = await probe(domain);
    assert.equal(step(r, 'xmpp.c2s-features-pre-tls')[0]?.outcome, code);
    assert.equal(r.snapshot.status, 'error');
    assert.notEqual(r.snapshot.error, '');
    assert.ok(r.snapshot.report.some((i) => i.level === 'error'));
  });
}

test('an SRV target in a denied range is refused before connecting', async () => {
  const r = await probe('evil.test');
  assert.equal(step(r, 'xmpp.c2s-connect')[0]?.outcome, 'net.forbidden-address');
  assert.equal(r.snapshot.status, 'unreachable');
  assert.equal(forbidden.connections, 0);
});

test('"." SRV targets: not a server, and no fallback connection to the domain', async () => {
  const r = await probe('nothing.test');
  assert.equal(r.snapshot.status, 'not-a-server');
  assert.equal(step(r, 'xmpp.c2s-connect').length, 0);
});

test('NXDOMAIN everywhere: A/AAAA fallback tried, recorded as a DNS error; no sign of XMPP, so not-a-server', async () => {
  const r = await probe('missing.test');
  assert.equal(step(r, 'dns.srv.xmpp-client')[0]?.outcome, 'nxdomain');
  assert.equal(step(r, 'xmpp.c2s-connect')[0]?.outcome, 'dns.nxdomain');
  // No SRV record, no address, nothing answered (issue 13 item 7); the crawl loop makes it unreachable if it once answered.
  assert.equal(r.snapshot.status, 'not-a-server');
  assert.ok(r.snapshot.report.some((i) => i.step === 'xmpp.status' && /No sign of XMPP at missing\.test/.test(i.message)));
});

test('host-meta (captured ejabberd bytes) and a provider file without consent: links recorded, no register form asked', async () => {
  const r = await probeXmpp(ctx, 'consent.test', { passId: 'it' });
  const hm = step(r, 'xmpp.host-meta')[0];
  assert.equal(hm?.outcome, 'ok');
  assert.deepEqual((hm?.facts['links'] as { method: string }[]).map((l) => l.method), ['xbosh', 'websocket']);
  assert.equal(step(r, 'xmpp.host-meta-json')[0]?.outcome, 'ok');
  assert.equal(step(r, 'xmpp.provider-file')[0]?.facts['serverTesting'], false);
  assert.equal(step(r, 'xmpp.register-form').length, 0);
  assert.equal(r.snapshot.registration, 'advertised');
  assert.equal(web.requests.length, 3);
});

test('DNSSEC and DANE: AD bit on every SRV answer and a validated TLSA record -> dnssec and dane true', async () => {
  const signed = await startDnsServer({ host: '127.30.0.54', authenticated: true });
  const c = createNetContext(loadCrawlConfig(
    { env: { CHATLAS_DNS: signed.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_STEP_TIMEOUT_MS: '1500', CHATLAS_CONNECT_TIMEOUT_MS: '1000' } },
    { extraCaPems: [ca.caPem] },
  ));
  try {
    signed.set('xmpp.prosody-replay.test', { A: ['127.30.1.1'] });
    signed.set('_xmpp-client._tcp.prosody-replay.test', { SRV: [{ priority: 0, weight: 0, port: 5222, target: 'xmpp.prosody-replay.test' }] });
    signed.set('_5222._tcp.xmpp.prosody-replay.test', { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }] });
    const r = await probeXmpp(c, 'prosody-replay.test', { passId: 'it', skipHttp: true });
    assert.equal(r.snapshot.status, 'ok');
    assert.equal(r.snapshot.dnssec, true);
    assert.equal(r.snapshot.dane, true);
    assert.equal(r.snapshot.ipv4, true);
    assert.equal(r.snapshot.ipv6, false);
  } finally {
    await c.close();
    await signed.close();
  }
});

test('without the AD bit: dnssec false, dane false (TLSA absent)', async () => {
  const r = await probe('prosody-replay.test');
  assert.equal(r.snapshot.dnssec, false);
  assert.equal(r.snapshot.dane, false);
});

test('a 429 with Retry-After on the web lookups is kept in the facts, where the schedule reads it', async () => {
  const original = web.routes.get('/.well-known/xmpp-provider-v2.json')!;
  web.routes.set('/.well-known/xmpp-provider-v2.json', json({ error: 'slow down' }, 429, { 'retry-after': '600' }));
  try {
    const r = await probeXmpp(ctx, 'consent.test', { passId: 'it' });
    const pf = step(r, 'xmpp.provider-file')[0];
    // One vocabulary with the Matrix requests: http.status, the status in the facts.
    assert.deepEqual([pf?.outcome, pf?.facts['status'], pf?.error], ['http.status', 429, 'HTTP 429']);
    assert.equal(pf?.facts['retryAfter'], '600');
    const until = retryAfterOf(r)!.getTime() - pf!.observedAt.getTime();
    assert.ok(until >= 600_000 && until < 601_000, `Retry-After read as ${until} ms`);
  } finally {
    web.routes.set('/.well-known/xmpp-provider-v2.json', original);
  }
});
