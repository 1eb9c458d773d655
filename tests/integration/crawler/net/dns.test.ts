/**
 * Our DNS client against the harness DNS server on 127.10.1.x: records,
 * CNAME following, NXDOMAIN/NODATA as results, faults as ProbeError codes,
 * truncation to TCP, spoof rejection, retries across resolvers, and the
 * guarded lookup.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createDnsClient, MAX_CACHE_TTL_S, type DnsClient } from '../../../../crawler/net/dns.ts';
import { createGuardedLookup, resolveAddresses } from '../../../../crawler/net/guarded-lookup.ts';
import { ProbeError } from '../../../../crawler/errors.ts';
import { parseResolver } from '../../../../crawler/config.ts';

let server: DnsServer;
let dns: DnsClient;
const nets = { allow: ['127.0.0.0/8'], deny: ['127.66.0.0/16'] };
const isCode = (code: string) => (e: unknown) => e instanceof ProbeError && e.code === code;

before(async () => {
  server = await startDnsServer({
    host: '127.10.1.1',
    zones: {
      'example.test': { A: ['127.10.1.10', '127.10.1.11'], AAAA: [], TXT: ['v=chatlas1 hello'] },
      '_xmpp-client._tcp.example.test': { SRV: [{ priority: 10, weight: 5, port: 5222, target: 'xmpp.example.test' }] },
      '_xmpps-client._tcp.example.test': { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] },
      '_5222._tcp.xmpp.example.test': { TLSA: [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }] },
      'www.example.test': { CNAME: 'example.test' },
      'loop1.test': { CNAME: 'loop2.test' },
      'loop2.test': { CNAME: 'loop1.test' },
      'forbidden.test': { A: ['127.66.0.5'] },
      'mixed.test': { A: ['127.66.0.5', '127.10.1.20'] },
      'big.test': { TXT: Array.from({ length: 40 }, (_, i) => `record-${i}-${'x'.repeat(60)}`) },
    },
  });
  dns = createDnsClient({ servers: [parseResolver(server.address)!], timeoutMs: 300, attempts: 1 });
});
after(() => server.close());

test('A records, with the AD flag as the server set it', async () => {
  const a = await dns.a('Example.TEST.');
  assert.deepEqual(a.records.sort(), ['127.10.1.10', '127.10.1.11']);
  assert.equal(a.status, 'ok');
  assert.equal(a.authenticated, false);
  server.setAuthenticated(true);
  try {
    assert.equal((await dns.a('example.test')).authenticated, true);
  } finally {
    server.setAuthenticated(false);
  }
});

test('SRV, TXT and TLSA records', async () => {
  const srv = await dns.srv('_xmpp-client._tcp.example.test');
  assert.deepEqual(srv.records, [{ priority: 10, weight: 5, port: 5222, target: 'xmpp.example.test' }]);
  const dot = await dns.srv('_xmpps-client._tcp.example.test');
  assert.equal(dot.records[0]?.target, '.');
  assert.deepEqual((await dns.txt('example.test')).records, ['v=chatlas1 hello']);
  const tlsa = await dns.tlsa('_5222._tcp.xmpp.example.test');
  assert.deepEqual(tlsa.records, [{ usage: 3, selector: 1, matchingType: 1, data: 'ab'.repeat(32) }]);
});

test('NXDOMAIN and NODATA are results, not errors', async () => {
  const nx = await dns.srv('_matrix-fed._tcp.nowhere.test');
  assert.equal(nx.status, 'nxdomain');
  assert.deepEqual(nx.records, []);
  const nodata = await dns.aaaa('example.test');
  assert.equal(nodata.status, 'nodata');
});

test('CNAME chains are followed and reported; loops are malformed', async () => {
  const a = await dns.a('www.example.test');
  assert.deepEqual(a.cnames, ['example.test']);
  assert.equal(a.name, 'example.test');
  assert.equal(a.records.length, 2);
  assert.deepEqual((await dns.cname('www.example.test')).records, ['example.test']);
  await assert.rejects(dns.a('loop1.test'), isCode('dns.malformed'));
});

test('timeout, SERVFAIL, REFUSED and garbage become dns.* ProbeErrors', async () => {
  for (const [fault, code] of [['timeout', 'dns.timeout'], ['servfail', 'dns.servfail'], ['refused', 'dns.refused'], ['garbage', 'dns.malformed']] as const) {
    server.fault('example.test', fault);
    try {
      await assert.rejects(dns.a('example.test'), isCode(code), fault);
    } finally {
      server.fault('example.test', null);
    }
  }
});

test('a truncated UDP reply is retried over TCP', async () => {
  server.fault('example.test', 'truncated');
  const before = server.queries.length;
  try {
    const a = await dns.a('example.test');
    assert.equal(a.records.length, 2);
    assert.deepEqual(server.queries.slice(before).map((q) => q.transport), ['udp', 'tcp']);
  } finally {
    server.fault('example.test', null);
  }
});

test('a large answer (over the 512-byte classic limit) arrives complete', async () => {
  assert.equal((await dns.txt('big.test')).records.length, 40);
});

test('a reply with the wrong id is ignored (anti-spoofing)', async () => {
  server.fault('example.test', 'spoof');
  try {
    const a = await dns.a('example.test');
    assert.ok(!a.records.includes('127.66.0.5'), 'spoofed answer believed');
    assert.equal(a.records.length, 2);
  } finally {
    server.fault('example.test', null);
  }
});

test('retries move on to the next resolver', async () => {
  const silent = await startDnsServer({ host: '127.10.1.2', zones: {} });
  silent.fault('example.test', 'timeout');
  try {
    // The silent resolver costs one timeout; 1 s (not less) so the second resolver's answer still fits on a loaded machine.
    const client = createDnsClient({ servers: [parseResolver(silent.address)!, parseResolver(server.address)!], timeoutMs: 1000, attempts: 1 });
    const a = await client.a('example.test');
    assert.equal(a.resolver, server.address);
    assert.equal(silent.queries.length, 1);
  } finally {
    await silent.close();
  }
});

test('zones can change at runtime', async () => {
  server.set('late.test', { A: ['127.10.1.30'] });
  assert.deepEqual((await dns.a('late.test')).records, ['127.10.1.30']);
  server.remove('late.test');
  assert.equal((await dns.a('late.test')).status, 'nxdomain');
});

test('invalid names are refused before any packet is sent', async () => {
  const before = server.queries.length;
  await assert.rejects(dns.a('bad..name'), isCode('dns.invalid-name'));
  await assert.rejects(dns.a(`${'a'.repeat(64)}.test`), isCode('dns.invalid-name'));
  assert.equal(server.queries.length, before);
});

test('resolveAddresses filters forbidden addresses and refuses when none remain', async () => {
  assert.deepEqual(await resolveAddresses(dns, 'mixed.test', nets), [{ address: '127.10.1.20', family: 4 }]);
  await assert.rejects(resolveAddresses(dns, 'forbidden.test', nets), isCode('net.forbidden-address'));
  await assert.rejects(resolveAddresses(dns, '127.66.0.9', nets), isCode('net.forbidden-address'));
  await assert.rejects(resolveAddresses(dns, 'nowhere.test', nets), isCode('dns.nxdomain'));
  await assert.rejects(resolveAddresses(dns, 'example.test', { deny: ['127.0.0.0/8'] }), isCode('net.forbidden-address'));
});

test('the guarded lookup speaks the dns.lookup callback protocol', async () => {
  const lookup = createGuardedLookup(dns, nets);
  const all = await new Promise<unknown>((resolve, reject) =>
    lookup('example.test', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
  assert.deepEqual(all, [{ address: '127.10.1.10', family: 4 }, { address: '127.10.1.11', family: 4 }]);
  const one = await new Promise<unknown[]>((resolve, reject) =>
    lookup('example.test', { family: 4 }, (err, address, family) => (err ? reject(err) : resolve([address, family]))));
  assert.deepEqual(one, ['127.10.1.10', 4]);
  const err = await new Promise<unknown>((resolve) => lookup('forbidden.test', {}, (e) => resolve(e)));
  assert.ok(isCode('net.forbidden-address')(err));
});

test('positive answers are cached for their TTL; simultaneous questions are asked once', async () => {
  const cached = await startDnsServer({ host: '127.10.1.3', ttl: 60, zones: { 'c.test': { A: ['127.10.1.40'] } } });
  try {
    const client = createDnsClient({ servers: [parseResolver(cached.address)!], timeoutMs: 300, attempts: 1 });
    const [x, y] = await Promise.all([client.a('c.test'), client.a('C.test')]);
    assert.deepEqual(x.records, ['127.10.1.40']);
    assert.deepEqual(y.records, ['127.10.1.40']);
    assert.equal(x.ttl, 60);
    x.records.push('mutated');
    assert.deepEqual((await client.a('c.test')).records, ['127.10.1.40'], 'cache handed out a shared array');
    assert.equal(cached.queries.length, 1);
    // Negative answers (NXDOMAIN, NODATA): tests/integration/crawler/net/dns-negative-cache.test.ts.
  } finally {
    await cached.close();
  }
  // TTL 0 (the main server): asked every time.
  const before = server.queries.length;
  await dns.a('example.test');
  await dns.a('example.test');
  assert.equal(server.queries.length, before + 2);
});

test('positive answers expire at their TTL, capped at MAX_CACHE_TTL_S; the cache is bounded, least recently used out first', async () => {
  const zones = { 'a.test': { A: ['127.10.1.41'] }, 'b.test': { A: ['127.10.1.42'] }, 'c.test': { A: ['127.10.1.43'] } };
  const hour = await startDnsServer({ host: '127.10.1.4', ttl: 3600, zones });
  try {
    let clock = 2_000_000;
    const client = createDnsClient({ servers: [parseResolver(hour.address)!], timeoutMs: 300, attempts: 1, cacheEntries: 2, now: () => clock });
    const asked = (name: string) => hour.queries.filter((q) => q.name === name).length;
    await client.a('a.test');
    await client.a('b.test');
    await client.a('a.test');
    await client.a('c.test');
    assert.deepEqual([asked('a.test'), asked('b.test'), asked('c.test')], [1, 1, 1]);
    await client.a('a.test');
    await client.a('b.test');
    assert.deepEqual([asked('a.test'), asked('b.test')], [1, 2], 'c.test pushed out b.test, the least recently used');
    // A one-hour TTL is kept MAX_CACHE_TTL_S (the entry is fresh while its age is at most that).
    clock += MAX_CACHE_TTL_S * 1000;
    await client.a('b.test');
    assert.equal(asked('b.test'), 2);
    clock += 1;
    await client.a('b.test');
    assert.equal(asked('b.test'), 3, 'asked again once the capped TTL has passed');
  } finally {
    await hour.close();
  }
});

test('the caller signal aborts a pending question at once', async () => {
  server.fault('example.test', 'timeout');
  const slowClient = createDnsClient({ servers: [parseResolver(server.address)!], timeoutMs: 30_000, attempts: 1 });
  try {
    const controller = new AbortController();
    const pending = slowClient.a('example.test', { signal: controller.signal });
    controller.abort(new ProbeError('xmpp.timeout', 'probe deadline'));
    await assert.rejects(pending, isCode('xmpp.timeout'));
  } finally {
    server.fault('example.test', null);
  }
});

test('a resolver sitting on AAAA does not stall a lookup whose A answer arrived (RFC 8305 resolution delay)', { timeout: 2000 }, async () => {
  server.fault('example.test', 'timeout', 'AAAA');
  // No cache, so aborting below really closes the pending AAAA question's socket.
  const patient = createDnsClient({ servers: [parseResolver(server.address)!], timeoutMs: 5000, attempts: 1, cacheEntries: 0 });
  const stop = new AbortController();
  try {
    const addresses = await resolveAddresses(patient, 'example.test', nets, { signal: stop.signal });
    assert.deepEqual(addresses.map((a) => a.address), ['127.10.1.10', '127.10.1.11']);
  } finally {
    stop.abort();
    server.fault('example.test', null, 'AAAA');
  }
});
