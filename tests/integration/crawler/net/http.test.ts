/**
 * fetchBounded and inspectTls against fake HTTPS servers on 127.10.2.x with
 * certificates from the test CA, names served by the harness DNS server.
 * 127.66.0.0/16 is denied in the config: the server on 127.66.0.5 must
 * receive zero connections.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { giant, hang, json, redirect, slow, startFakeServer, text, type FakeServer } from '../../../../sim/fake-https.ts';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { fetchBounded } from '../../../../crawler/net/http.ts';
import { inspectTls } from '../../../../crawler/net/tls-inspect.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

let dns: DnsServer;
let ca: TestCa;
let site: FakeServer;
let plain: FakeServer;
let evil: FakeServer;
let expired: FakeServer;
let wrongName: FakeServer;
let selfSigned: FakeServer;
let ctx: NetContext;
const isCode = (code: string) => (e: unknown) => {
  assert.ok(e instanceof ProbeError, `not a ProbeError: ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
};

before(async () => {
  ca = await createTestCa();
  const [siteCert, evilCert, expiredCert, wrongCert, selfCert] = await Promise.all([
    ca.issue(['site.test', 'rebind.test', 'alias.test', '127.10.2.1']),
    ca.issue(['evil.test']),
    ca.issue(['expired.test'], { expired: true }),
    ca.issue(['other.test']),
    ca.issue(['self.test'], { selfSigned: true }),
  ]);
  plain = await startFakeServer({ host: '127.10.2.2', routes: { '/': text('plain') } });
  evil = await startFakeServer({ host: '127.66.0.5', tls: evilCert, routes: { '*': text('you should not be here') } });
  expired = await startFakeServer({ host: '127.10.2.3', tls: expiredCert, routes: { '/': text('old') } });
  wrongName = await startFakeServer({ host: '127.10.2.4', tls: wrongCert, routes: { '/': text('wrong') } });
  selfSigned = await startFakeServer({ host: '127.10.2.5', tls: selfCert, routes: { '/': text('self') } });
  site = await startFakeServer({ host: '127.10.2.1', tls: siteCert });
  site.routes.set('/json', json({ hello: 'world' }));
  site.routes.set('/ua', (req, res) => res.end(String(req.headers['user-agent'])));
  site.routes.set('/giant', giant(5 * 1024 * 1024));
  site.routes.set('/giant-declared', giant(5 * 1024 * 1024, { declareLength: true }));
  site.routes.set('/loop-a', redirect('/loop-b'));
  site.routes.set('/loop-b', redirect('/loop-a'));
  for (let i = 0; i < 6; i++) site.routes.set(`/chain-${i}`, redirect(`/chain-${i + 1}`));
  site.routes.set('/chain-6', text('end of chain'));
  site.routes.set('/two-hops', redirect('/chain-5', 301));
  site.routes.set('/slow-headers', slow(5000, text('late')));
  site.routes.set('/hang-body', (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.write('partial'); });
  site.routes.set('/hang', hang());
  site.routes.set('/downgrade', redirect(`http://plain.test:${plain.port}/`));
  site.routes.set('/to-evil', redirect(`https://evil.test:${evil.port}/`));
  site.routes.set('/to-evil-literal', redirect(`https://127.66.0.5:${evil.port}/`));
  site.routes.set('/to-ftp', redirect('ftp://site.test/file'));
  site.routes.set('/post-303', redirect('/method', 303));
  site.routes.set('/method', (req, res) => res.end(String(req.method)));
  site.routes.set('/echo-host', (req, res) => res.end(String(req.headers.host)));
  site.routes.set('/to-alias', (_req, res) => { res.writeHead(302, { location: `https://alias.test:${site.port}/echo-host` }); res.end(); });
  dns = await startDnsServer({
    host: '127.10.2.53',
    zones: {
      'site.test': { A: ['127.10.2.1'] },
      'alias.test': { A: ['127.10.2.1'] },
      'plain.test': { A: ['127.10.2.2'] },
      'evil.test': { A: ['127.66.0.5'] },
      'expired.test': { A: ['127.10.2.3'] },
      'wrong.test': { A: ['127.10.2.4'] },
      'self.test': { A: ['127.10.2.5'] },
    },
  });
  ctx = createNetContext(loadCrawlConfig(
    { env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } },
    { extraCaPems: [ca.caPem], headersTimeoutMs: 300, bodyTimeoutMs: 300, stepTimeoutMs: 3000, maxBodyBytes: 64 * 1024, maxRedirects: 3 },
  ));
});

after(async () => {
  await ctx?.close();
  await Promise.all([site, plain, evil, expired, wrongName, selfSigned].map((s) => s?.close()));
  await dns?.close();
  await ca?.cleanup();
});

test('GET over HTTPS through our DNS, with our User-Agent and the connected address', async () => {
  const res = await fetchBounded(ctx, `https://site.test:${site.port}/json`, { accept: 'application/json' });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.bodyText), { hello: 'world' });
  assert.equal(res.headers['content-type'], 'application/json');
  assert.equal(res.remoteAddress, '127.10.2.1');
  assert.deepEqual(res.redirects, []);
  const ua = await fetchBounded(ctx, `https://site.test:${site.port}/ua`);
  assert.match(ua.bodyText, /^Chatlas\/\S+ \(\+https:\/\/\S+; crawler\)$/);
});

test('a non-2xx status is a result, not an error', async () => {
  const res = await fetchBounded(ctx, `https://site.test:${site.port}/missing`);
  assert.equal(res.status, 404);
});

test('a giant body is cut at the byte cap (streamed and declared)', async () => {
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/giant`), isCode('http.too-large'));
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/giant-declared`), isCode('http.too-large'));
  // The context still works afterwards.
  assert.equal((await fetchBounded(ctx, `https://site.test:${site.port}/json`)).status, 200);
});

test('redirects: followed and recorded within the cap; loops and long chains refused', async () => {
  const ok = await fetchBounded(ctx, `https://site.test:${site.port}/two-hops`);
  assert.equal(ok.bodyText, 'end of chain');
  assert.deepEqual(ok.redirects.map((r) => r.status), [301, 302]);
  assert.equal(ok.finalUrl, `https://site.test:${site.port}/chain-6`);
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/loop-a`), isCode('http.redirect-limit'));
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/chain-0`), isCode('http.redirect-limit'));
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/to-ftp`), isCode('http.redirect-forbidden'));
});

test('303 after POST becomes GET', async () => {
  const res = await fetchBounded(ctx, `https://site.test:${site.port}/post-303`, { method: 'POST', body: '{}' });
  assert.equal(res.bodyText, 'GET');
});

test('slow headers, a stalled body and a hanging server time out', async () => {
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/slow-headers`), isCode('http.timeout'));
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/hang-body`), isCode('http.timeout'));
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/hang`, { timeoutMs: 200 }), isCode('http.timeout'));
});

test('an https -> http redirect is refused and the http server sees no connection', async () => {
  const before = plain.connections;
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/downgrade`), isCode('http.redirect-forbidden'));
  assert.equal(plain.connections, before);
});

test('a forbidden address receives zero connections: by name, by redirect, by literal', async () => {
  await assert.rejects(fetchBounded(ctx, `https://evil.test:${evil.port}/`), isCode('net.forbidden-address'));
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/to-evil`), isCode('net.forbidden-address'));
  await assert.rejects(fetchBounded(ctx, `https://site.test:${site.port}/to-evil-literal`), isCode('net.forbidden-address'));
  await assert.rejects(fetchBounded(ctx, `https://127.66.0.5:${evil.port}/`), isCode('net.forbidden-address'));
  await assert.rejects(ctx.connect({ host: 'evil.test', port: evil.port }), isCode('net.forbidden-address'));
  await assert.rejects(inspectTls(ctx, { host: 'evil.test', port: evil.port }), isCode('net.forbidden-address'));
  assert.equal(evil.connections, 0);
  assert.equal(evil.requests.length, 0);
});

test('a name that rebinds to a forbidden address is refused at connect time', async () => {
  dns.set('rebind.test', { A: ['127.10.2.1'] });
  const fresh = createNetContext({ ...ctx.config });
  try {
    assert.equal((await fetchBounded(fresh, `https://rebind.test:${site.port}/missing`)).remoteAddress, '127.10.2.1');
    dns.set('rebind.test', { A: ['127.66.0.5'] });
    await assert.rejects(fetchBounded(fresh, `https://rebind.test:${evil.port}/`), isCode('net.forbidden-address'));
    assert.equal(evil.connections, 0);
  } finally {
    await fresh.close();
  }
});

test('TLS failures get their own codes', async () => {
  await assert.rejects(fetchBounded(ctx, `https://expired.test:${expired.port}/`), isCode('tls.expired'));
  await assert.rejects(fetchBounded(ctx, `https://wrong.test:${wrongName.port}/`), isCode('tls.name-mismatch'));
  await assert.rejects(fetchBounded(ctx, `https://self.test:${selfSigned.port}/`), isCode('tls.cert-invalid'));
});

test('inspectTls records facts, including for broken certificates', async () => {
  const good = await inspectTls(ctx, { host: 'site.test', port: site.port, alpn: ['http/1.1'] });
  assert.equal(good.chainValid, true);
  assert.equal(good.nameValid, true);
  assert.equal(good.error, null);
  assert.match(good.protocol ?? '', /^TLSv1\.[23]$/);
  assert.equal(good.subject, 'CN=site.test');
  assert.match(good.issuer ?? '', /CN=Chatlas Test CA/);
  assert.ok(good.validTo && good.validFrom && good.validTo > good.validFrom);

  const old = await inspectTls(ctx, { host: 'expired.test', port: expired.port });
  assert.equal(old.chainValid, false);
  assert.equal(old.error, 'CERT_HAS_EXPIRED');

  const wrong = await inspectTls(ctx, { host: 'wrong.test', port: wrongName.port });
  assert.equal(wrong.chainValid, true);
  assert.equal(wrong.nameValid, false);

  const self = await inspectTls(ctx, { host: 'self.test', port: selfSigned.port });
  assert.equal(self.chainValid, false);
  assert.equal(self.nameValid, true);
  assert.equal(self.error, 'DEPTH_ZERO_SELF_SIGNED_CERT');
});

test('inspectTls waits for the host politeness slot: a paused host gets no TLS connection', async () => {
  const fresh = createNetContext({ ...ctx.config });
  try {
    const seen = site.connections;
    fresh.politeness.noteResponse('site.test', 503, '3600');
    await assert.rejects(inspectTls(fresh, { host: 'site.test', port: site.port }), isCode('policy.rate-limited'));
    assert.equal(site.connections, seen, 'no connection reached the paused host');
    // Another host of the same context is not held up.
    assert.equal((await inspectTls(fresh, { host: 'wrong.test', port: wrongName.port })).chainValid, true);
  } finally {
    await fresh.close();
  }
});

test('a Host header names the server (SNI and certificate) while connecting elsewhere; dropped on a cross-origin redirect', async () => {
  const base = `https://127.10.2.1:${site.port}`;
  const named = await fetchBounded(ctx, `${base}/echo-host`, { headers: { Host: 'site.test', 'User-Agent': 'spoofed' } });
  assert.equal(named.bodyText, 'site.test');
  await assert.rejects(fetchBounded(ctx, `${base}/echo-host`, { headers: { host: 'wrong.test' } }), isCode('tls.name-mismatch'));
  const moved = await fetchBounded(ctx, `${base}/to-alias`, { headers: { host: 'site.test' } });
  assert.equal(moved.bodyText, `alias.test:${site.port}`);
  const ua = site.requests.filter((r) => r.path === '/echo-host').map((r) => r.headers['user-agent']);
  assert.ok(ua.length > 0 && ua.every((v) => typeof v === 'string' && v.startsWith('Chatlas/')), String(ua));
});

test('harness: a server with connect and request latency still serves and counts its connection', async () => {
  const delayed = await startFakeServer({ host: '127.10.2.6', routes: { '/': text('late hello') }, connectLatencyMs: 20, latencyMs: 20 });
  try {
    const res = await fetchBounded(ctx, `http://127.10.2.6:${delayed.port}/`);
    assert.equal(res.bodyText, 'late hello');
    assert.equal(delayed.connections, 1);
  } finally {
    await delayed.close();
  }
});
