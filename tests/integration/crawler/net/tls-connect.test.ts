/**
 * STARTTLS upgrade and direct TLS (the XMPP paths) against loopback servers
 * on 127.10.3.x with test-CA certificates: facts, ALPN, failures as codes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa, type IssuedCert } from '../../../../sim/test-ca.ts';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { connectTls, upgradeToTls } from '../../../../crawler/net/tls-connect.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

let dns: DnsServer;
let ca: TestCa;
let cert: IssuedCert;
let ctx: NetContext;
const servers: net.Server[] = [];
const isCode = (code: string) => (e: unknown) => {
  assert.ok(e instanceof ProbeError, String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

/** A line-based fake: answers "STARTTLS" with "PROCEED" then runs TLS on the same socket. */
async function startTlsServer(host: string): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (line) => {
      if (String(line).trim() !== 'STARTTLS') return socket.destroy();
      socket.write('PROCEED\n', () => {
        const secure = new tls.TLSSocket(socket, { isServer: true, cert: cert.certPem, key: cert.keyPem, ALPNProtocols: ['xmpp-client'] });
        secure.on('error', () => {});
        secure.on('secure', () => secure.end('hello over tls\n'));
      });
    });
  });
  servers.push(server);
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/** A server that accepts and never speaks, or speaks junk. */
async function startRawServer(host: string, behaviour: 'silent' | 'junk'): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    if (behaviour === 'junk') socket.end('HTTP/1.0 400 not tls at all\r\n\r\n');
  });
  servers.push(server);
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

before(async () => {
  ca = await createTestCa();
  cert = await ca.issue(['xmpp.test']);
  dns = await startDnsServer({ host: '127.10.3.53', zones: { 'xmpp.test': { A: ['127.10.3.1'] }, 'junk.test': { A: ['127.10.3.2'] } } });
  ctx = createNetContext(loadCrawlConfig(
    { env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16' } },
    { extraCaPems: [ca.caPem], connectTimeoutMs: 400 },
  ));
});

after(async () => {
  for (const s of servers) s.close();
  await ctx?.close();
  await dns?.close();
  await ca?.cleanup();
});

test('STARTTLS: upgrade a guarded socket and read facts, ALPN and data', async () => {
  const port = await startTlsServer('127.10.3.1');
  const socket = await ctx.connect({ host: 'xmpp.test', port });
  socket.write('STARTTLS\n');
  const [line] = await once(socket, 'data');
  assert.equal(String(line), 'PROCEED\n');
  const { socket: secure, facts } = await upgradeToTls(ctx, socket, { servername: 'xmpp.test', alpn: ['xmpp-client'] });
  assert.equal(facts.chainValid, true);
  assert.equal(facts.nameValid, true);
  assert.equal(secure.alpnProtocol, 'xmpp-client');
  const [data] = await once(secure, 'data');
  assert.equal(String(data), 'hello over tls\n');
  secure.destroy();
});

test('a certificate for another name is a fact (nameValid false), not an error', async () => {
  const port = await startTlsServer('127.10.3.1');
  const socket = await ctx.connect({ host: 'xmpp.test', port });
  socket.write('STARTTLS\n');
  await once(socket, 'data');
  const { socket: secure, facts } = await upgradeToTls(ctx, socket, { servername: 'other.test' });
  assert.equal(facts.chainValid, true);
  assert.equal(facts.nameValid, false);
  secure.destroy();
});

test('direct TLS to a server that never speaks times out as tls.timeout', async () => {
  const port = await startRawServer('127.10.3.2', 'silent');
  await assert.rejects(connectTls(ctx, { host: 'junk.test', port, servername: 'junk.test', timeoutMs: 300 }), isCode('tls.timeout'));
});

test('direct TLS to a non-TLS server fails as tls.handshake', async () => {
  const port = await startRawServer('127.10.3.2', 'junk');
  await assert.rejects(connectTls(ctx, { host: 'junk.test', port, servername: 'junk.test' }), isCode('tls.handshake'));
});

test('direct TLS to a forbidden literal address is refused before connecting', async () => {
  let accepted = 0;
  const server = net.createServer((s) => { accepted++; s.destroy(); });
  servers.push(server);
  server.listen(0, '127.66.0.5');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await assert.rejects(connectTls(ctx, { host: '127.66.0.5', port, servername: 'evil.test' }), isCode('net.forbidden-address'));
  assert.equal(accepted, 0);
});
