/**
 * Child process of bench/matrix-probe.ts (BENCH ONLY): a simulated Matrix
 * federation of N homeservers `hs<i>.bench.test` spread over a few loopback
 * addresses in 127.70.0.0/16, each address with a 443 listener (well-knowns)
 * and an 8448 listener (federation + client API), a wildcard certificate from
 * the test CA, our DNS server, and `latencyMs` added before every answer.
 * Bodies follow Synapse 1.163.2 (tests/fixtures/matrix-*). Prints one JSON
 * line {dns, caPem} when ready; replies to the message 'stats' with request counts.
 */
import type { IncomingMessage } from 'node:http';
import { parseArgs } from 'node:util';
import { startDnsServer } from '../tests/harness/dns-server.ts';
import { createTestCa } from '../tests/harness/test-ca.ts';
import { json, startFakeServer, type FakeServer, type Handler } from '../tests/harness/fake-https.ts';
import { signedServerKeys } from '../tests/harness/matrix-federation.ts';

const { values } = parseArgs({ options: { servers: { type: 'string', default: '10000' }, addresses: { type: 'string', default: '50' }, latency: { type: 'string', default: '50' } } });
const servers = Number(values.servers);
const addresses = Number(values.addresses);
const latencyMs = Number(values.latency);
const addressOf = (i: number): string => `127.70.${Math.floor((i % addresses) / 250)}.${(i % addresses) % 250 + 1}`;
const nameOf = (req: IncomingMessage): string => String(req.headers.host ?? '').replace(/:\d+$/, '');

const ca = await createTestCa();
const cert = await ca.issue(['*.bench.test']);
const zones: Record<string, { A: string[] }> = {};
for (let i = 0; i < servers; i++) zones[`hs${i}.bench.test`] = { A: [addressOf(i)] };
const dns = await startDnsServer({ host: '127.70.255.53', zones, ttl: 300 });

// Keys signed once per server name, on first request (ed25519, real signatures).
const keys = new Map<string, unknown>();
const rooms = (name: string) => Array.from({ length: 20 }, (_, k) => ({
  room_id: `!r${k}:${name}`, name: `Room ${k}`, topic: 'benchmark room', canonical_alias: `#r${k}:${name}`,
  num_joined_members: 5 + k, world_readable: false, guest_can_join: false, join_rule: 'public',
}));
const wellKnown: Record<string, Handler> = {
  '/.well-known/matrix/server': (req, res) => json({ 'm.server': `${nameOf(req)}:8448` })(req, res),
  '/.well-known/matrix/client': (req, res) => json({ 'm.homeserver': { base_url: `https://${nameOf(req)}:8448` } })(req, res),
};
const api: Record<string, Handler> = {
  '/_matrix/federation/v1/version': json({ server: { name: 'Synapse', version: '1.163.2' } }),
  '/_matrix/key/v2/server': (req, res) => {
    const name = nameOf(req);
    if (!keys.has(name)) keys.set(name, signedServerKeys(name, Date.now() + 86_400_000));
    return json(keys.get(name))(req, res);
  },
  '/_matrix/client/versions': json({ versions: ['v1.11', 'v1.15'], unstable_features: { 'org.matrix.msc3827.stable': true } }),
  '/_matrix/client/v3/login': json({ flows: [{ type: 'm.login.password' }] }),
  '/_matrix/client/v3/register': json({ errcode: 'M_FORBIDDEN', error: 'Registration has been disabled' }, 403),
  '/_matrix/client/v3/publicRooms': (req, res) => json({ chunk: rooms(nameOf(req)), total_room_count_estimate: 20 })(req, res),
};
const listeners: FakeServer[] = [];
for (let a = 0; a < Math.min(addresses, servers); a++) {
  const host = addressOf(a);
  listeners.push(await startFakeServer({ host, port: 443, tls: { certPem: cert.certPem, keyPem: cert.keyPem }, routes: wellKnown, latencyMs }));
  listeners.push(await startFakeServer({ host, port: 8448, tls: { certPem: cert.certPem, keyPem: cert.keyPem }, routes: api, latencyMs }));
}
process.on('message', (msg) => {
  if (msg === 'stats') {
    process.send?.({
      requests: listeners.reduce((n, l) => n + l.requests.length, 0),
      connections: listeners.reduce((n, l) => n + l.connections, 0),
      dnsQueries: dns.queries.length,
      connectionsByPort: Object.fromEntries([443, 8448].map((port) => [port, listeners.filter((l) => l.port === port).reduce((n, l) => n + l.connections, 0)])),
      dnsByType: dns.queries.reduce<Record<string, number>>((acc, q) => { acc[q.type] = (acc[q.type] ?? 0) + 1; return acc; }, {}),
    });
  }
});
let stopping = false;
const shutdown = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await Promise.all(listeners.map((l) => l.close()));
  await dns.close();
  await ca.cleanup();
  process.exit(0);
};
process.on('SIGTERM', () => { void shutdown(); });
process.on('disconnect', () => { void shutdown(); });
process.send?.({ ready: true, dns: dns.address, caPem: ca.caPem });
