/**
 * Rule 1 of the project: Node's own resolver is never used. Node's net, tls
 * and undici fall back to `dns.lookup` when no `lookup` is given; here it is
 * replaced by a trap, and DNS, TCP, TLS and HTTP(S) through a NetContext must
 * not touch it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import net from 'node:net';
import { once } from 'node:events';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { startFakeServer, text, type FakeServer } from '../../../../sim/fake-https.ts';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { fetchBounded } from '../../../../crawler/net/http.ts';
import { inspectTls } from '../../../../crawler/net/tls-inspect.ts';
import { connectTls } from '../../../../crawler/net/tls-connect.ts';

const systemLookups: string[] = [];
const realLookup = dns.lookup;
let dnsServer: DnsServer;
let ca: TestCa;
let site: FakeServer;
let plain: FakeServer;
let ctx: NetContext;

before(async () => {
  ca = await createTestCa();
  const cert = await ca.issue(['named.test']);
  site = await startFakeServer({ host: '127.10.4.1', tls: cert, routes: { '/': text('tls ok') } });
  plain = await startFakeServer({ host: '127.10.4.2', routes: { '/': text('plain ok') } });
  dnsServer = await startDnsServer({ host: '127.10.4.53', zones: { 'named.test': { A: ['127.10.4.1'] }, 'plain.test': { A: ['127.10.4.2'] } } });
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dnsServer.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8' } }, { extraCaPems: [ca.caPem] }));
  // The trap: any use of the system resolver from here on is recorded and fails.
  (dns as { lookup: unknown }).lookup = (hostname: string, _o: unknown, cb?: (e: Error) => void) => {
    systemLookups.push(hostname);
    const callback = typeof _o === 'function' ? (_o as (e: Error) => void) : cb;
    callback?.(new Error(`system resolver used for ${hostname}`));
  };
});

after(async () => {
  (dns as { lookup: unknown }).lookup = realLookup;
  await ctx?.close();
  await site?.close();
  await plain?.close();
  await dnsServer?.close();
  await ca?.cleanup();
});

test('DNS, TCP, TLS and HTTP(S) by name never call dns.lookup', async () => {
  assert.deepEqual((await ctx.dns.a('named.test')).records, ['127.10.4.1']);
  assert.equal((await fetchBounded(ctx, `https://named.test:${site.port}/`)).bodyText, 'tls ok');
  assert.equal((await fetchBounded(ctx, `http://plain.test:${plain.port}/`)).bodyText, 'plain ok');
  const socket = await ctx.connect({ host: 'plain.test', port: plain.port });
  socket.destroy();
  assert.equal((await inspectTls(ctx, { host: 'named.test', port: site.port })).chainValid, true);
  const direct = await connectTls(ctx, { host: 'named.test', port: site.port, servername: 'named.test' });
  direct.socket.destroy();
  assert.deepEqual(systemLookups, []);
});

test('control: the trap does catch a plain net.connect by name', async () => {
  const socket = net.connect({ host: 'trap.test', port: 9 });
  await once(socket, 'error').catch(() => {});
  socket.destroy();
  assert.deepEqual(systemLookups, ['trap.test']);
});
