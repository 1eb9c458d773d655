/**
 * Negative caching in crawler/net/dns.ts (RFC 2308 §5): NXDOMAIN and NODATA
 * answers are reused, counted as queries received by DNS servers on
 * 127.10.6.x. Expiry is checked with the client's injectable clock, never
 * by waiting.
 *
 * - 127.10.6.1: the harness server (sim/dns-server.ts), whose
 *   negative replies carry no SOA: the client's default TTL applies.
 * - 127.10.6.2: a minimal responder whose NODATA/NXDOMAIN replies carry the
 *   zone SOA in the authority section, as RFC 2308 §3 requires of
 *   authoritative servers and resolvers (e.g. Unbound, BIND) send it:
 *   the negative TTL is min(SOA TTL, SOA MINIMUM), capped at 300 s.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createDnsClient, DEFAULT_NEGATIVE_TTL_S, MAX_CACHE_TTL_S, negativeTtl } from '../../../../crawler/net/dns.ts';
import { parseResolver } from '../../../../crawler/config.ts';

let harness: DnsServer;
let soaServer: dgram.Socket;
let soaAddress = '';
const soaQueries: string[] = [];
/** SOA TTL and MINIMUM the 127.10.6.2 responder puts in its authority section, per zone. */
const soaOf: Record<string, { ttl: number; minimum: number }> = {
  'short.test': { ttl: 3600, minimum: 30 },
  'long.test': { ttl: 86_400, minimum: 86_400 },
  'zero.test': { ttl: 0, minimum: 900 },
};

before(async () => {
  harness = await startDnsServer({ host: '127.10.6.1', zones: { 'v4only.test': { A: ['127.10.6.10'] } } });
  soaServer = dgram.createSocket('udp4');
  soaServer.on('message', (msg, rinfo) => {
    let q: DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    soaQueries.push(`${question.type} ${question.name}`);
    const zone = question.name.split('.').slice(-2).join('.');
    const soa = soaOf[zone] ?? { ttl: 60, minimum: 60 };
    // NODATA for names starting with "nodata.", else NXDOMAIN (rcode 3); no answers either way.
    const rcode = question.name.startsWith('nodata.') ? 0 : 3;
    const reply = dnsPacket.encode({
      type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | rcode, questions: [question], answers: [],
      authorities: [{
        name: zone, type: 'SOA', ttl: soa.ttl, class: 'IN',
        data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 604_800, minimum: soa.minimum },
      }],
    });
    soaServer.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => soaServer.bind(0, '127.10.6.2', () => resolve()));
  soaAddress = `127.10.6.2:${soaServer.address().port}`;
});

after(async () => {
  await harness?.close();
  await new Promise<void>((resolve) => (soaServer ? soaServer.close(() => resolve()) : resolve()));
});

test('NODATA (AAAA of a v4-only host) is asked once, then again after the default TTL', async () => {
  let clock = 1_000_000;
  const client = createDnsClient({ servers: [parseResolver(harness.address)!], timeoutMs: 500, attempts: 1, now: () => clock });
  const aaaa = () => harness.queries.filter((q) => q.name === 'v4only.test' && q.type === 'AAAA').length;
  for (let i = 0; i < 6; i++) {
    const answer = await client.aaaa('v4only.test');
    assert.equal(answer.status, 'nodata');
    assert.deepEqual(answer.records, []);
  }
  assert.equal(aaaa(), 1, 'six AAAA questions, one query');
  // The positive A answer (TTL 0 here) is not cached; the negative AAAA does not hide it.
  assert.deepEqual((await client.a('v4only.test')).records, ['127.10.6.10']);
  clock += (DEFAULT_NEGATIVE_TTL_S - 1) * 1000;
  await client.aaaa('v4only.test');
  assert.equal(aaaa(), 1, 'still cached just before the TTL');
  clock += 2000;
  await client.aaaa('v4only.test');
  assert.equal(aaaa(), 2, 'asked again after the TTL');
});

test('NXDOMAIN is cached; a name that appears later is seen once the negative TTL has passed', async () => {
  let clock = 5_000_000;
  const client = createDnsClient({ servers: [parseResolver(harness.address)!], timeoutMs: 500, attempts: 1, now: () => clock });
  const asked = () => harness.queries.filter((q) => q.name === 'later.test').length;
  assert.equal((await client.a('later.test')).status, 'nxdomain');
  harness.set('later.test', { A: ['127.10.6.11'] });
  assert.equal((await client.a('later.test')).status, 'nxdomain', 'served from the negative cache');
  assert.equal(asked(), 1);
  clock += DEFAULT_NEGATIVE_TTL_S * 1000 + 1;
  assert.deepEqual((await client.a('later.test')).records, ['127.10.6.11']);
  assert.equal(asked(), 2);
  // Another type of the same name is its own question.
  await client.aaaa('later.test');
  assert.equal(asked(), 3);
});

test('regression: a fresh question bypasses the negative cache (an ownership TXT published after a first check)', async () => {
  const client = createDnsClient({ servers: [parseResolver(harness.address)!], timeoutMs: 500, attempts: 1, now: () => 9_000_000 });
  assert.equal((await client.txt('_chatlas-verify.fresh.test')).status, 'nxdomain');
  harness.set('_chatlas-verify.fresh.test', { TXT: ['chatlas-verify=abc'] });
  assert.equal((await client.txt('_chatlas-verify.fresh.test')).status, 'nxdomain', 'cached');
  assert.deepEqual((await client.txt('_chatlas-verify.fresh.test', { fresh: true })).records, ['chatlas-verify=abc']);
});

test('with an SOA in the authority section the negative TTL is min(SOA TTL, MINIMUM), capped', async () => {
  let clock = 9_000_000;
  const client = createDnsClient({ servers: [parseResolver(soaAddress)!], timeoutMs: 500, attempts: 1, now: () => clock });
  const count = (key: string) => soaQueries.filter((q) => q === key).length;

  // MINIMUM 30 < SOA TTL 3600 (and below the 60 s default): 30 s.
  assert.equal((await client.aaaa('nodata.short.test')).status, 'nodata');
  assert.equal((await client.a('gone.short.test')).status, 'nxdomain');
  clock += 29_000;
  await client.aaaa('nodata.short.test');
  await client.a('gone.short.test');
  assert.equal(count('AAAA nodata.short.test'), 1);
  assert.equal(count('A gone.short.test'), 1);
  clock += 2000;
  await client.aaaa('nodata.short.test');
  assert.equal(count('AAAA nodata.short.test'), 2, 'the SOA MINIMUM ruled, not the 60 s default');

  // A day-long SOA is capped at MAX_CACHE_TTL_S.
  await client.aaaa('nodata.long.test');
  clock += (MAX_CACHE_TTL_S - 1) * 1000;
  await client.aaaa('nodata.long.test');
  assert.equal(count('AAAA nodata.long.test'), 1);
  clock += 2000;
  await client.aaaa('nodata.long.test');
  assert.equal(count('AAAA nodata.long.test'), 2, 'capped');

  // SOA TTL 0: not cached at all.
  await client.aaaa('nodata.zero.test');
  await client.aaaa('nodata.zero.test');
  assert.equal(count('AAAA nodata.zero.test'), 2);
});

test('negativeTtl reads the SOA of the authority section', () => {
  const soa = (ttl: number, minimum: number) => ({ authorities: [{ name: 'z.test', type: 'SOA' as const, ttl, class: 'IN' as const, data: { mname: 'ns.z.test', rname: 'h.z.test', minimum } }] });
  assert.equal(negativeTtl({ authorities: [] }, 60), 60);
  assert.equal(negativeTtl({}, 45), 45);
  assert.equal(negativeTtl(soa(3600, 30), 60), 30);
  assert.equal(negativeTtl(soa(20, 900), 60), 20);
  assert.equal(negativeTtl(soa(0, 900), 60), 0);
});
