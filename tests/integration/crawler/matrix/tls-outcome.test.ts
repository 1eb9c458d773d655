/**
 * The Matrix probe's TLS verdict is decided by the verification code Node
 * reports (CERT_HAS_EXPIRED), mapped through crawler/net/to-probe-error.ts,
 * not by the text of a message (review finding 5); and the snapshot carries
 * the code of its failure, which the crawl schedule classes (issue 12 item 5).
 * Homeservers on 127.22.13.0/24, our DNS on 127.22.13.53.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { startFakeServer, type FakeServer } from '../../../../sim/fake-https.ts';
import { matrixApiRoutes } from '../../../../sim/matrix-federation.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { failureClass } from '../../../../jobs/crawl/failure-class.ts';

let ca: TestCa;
let dns: DnsServer;
let ctx: NetContext;
const servers: FakeServer[] = [];

before(async () => {
  ca = await createTestCa();
  dns = await startDnsServer({
    host: '127.22.13.53',
    zones: {
      'expired.test': { A: ['127.22.13.1'] },
      'refused.test': { A: ['127.22.13.2'] },
      // Its SRV record is a sign of Matrix: down, not "not a server" (issue 13 item 7).
      '_matrix-fed._tcp.refused.test': { SRV: [{ priority: 10, weight: 10, port: 8448, target: 'refused.test' }] },
    },
  });
  const expired = await ca.issue(['expired.test'], { expired: true });
  servers.push(await startFakeServer({ host: '127.22.13.1', port: 8448, tls: expired, routes: matrixApiRoutes({ serverName: 'expired.test' }) }));
  // refused.test: nothing listens on 127.22.13.2.
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_DNS_TIMEOUT_MS: '1000', CHATLAS_DNS_ATTEMPTS: '1' } }, { extraCaPems: [ca.caPem] }));
});

after(async () => {
  await ctx?.close();
  await Promise.all(servers.map((s) => s.close()));
  await dns?.close();
  await ca?.cleanup();
});

test('an expired federation certificate is tls.expired, from the verification code', async () => {
  const r = await probeMatrix(ctx, 'expired.test', { passId: '00000000-0000-4000-8000-000000000013' });
  const tls = r.observations.find((o) => o.step === 'tls.federation');
  assert.equal(tls?.outcome, 'tls.expired', JSON.stringify(tls));
  assert.equal(r.snapshot.tls?.error, 'CERT_HAS_EXPIRED');
  assert.notEqual(r.snapshot.status, 'ok');
});

test('a refused federation port: the snapshot says net.connect-refused, a permanent failure', async () => {
  const r = await probeMatrix(ctx, 'refused.test', { passId: '00000000-0000-4000-8000-000000000013' });
  assert.equal(r.snapshot.status, 'unreachable', r.snapshot.error);
  assert.equal(r.snapshot.failure, 'net.connect-refused');
  assert.equal(failureClass(r.snapshot.status, r.snapshot.failure ?? null), 'permanent');
});

test('without the SRV record nothing shows Matrix there: not-a-server, backed off as a permanent class', async () => {
  dns.remove('_matrix-fed._tcp.refused.test');
  const r = await probeMatrix(ctx, 'refused.test', { passId: '00000000-0000-4000-8000-000000000014' });
  assert.equal(r.snapshot.status, 'not-a-server', r.snapshot.error);
  assert.equal(r.snapshot.failure, 'net.connect-refused');
  assert.equal(failureClass(r.snapshot.status, r.snapshot.failure ?? null), 'permanent');
});
