/**
 * Issue 11, "Done when" 1: with a federation identity, a crawl of servers that share only their
 * federation directory lists all their public rooms; without one it lists none and says why on
 * the server page. Simulated homeservers on 127.27.0.0/16 answer as Synapse 1.163.2 does
 * (sim/matrix-federation.ts `federationDirectory`, with the recorded real answers cited there);
 * the probe's results go through a real chdb store and the server page's own health report.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import { generateSigningKey } from '../../../../crawler/protocol/matrix-signing.ts';
import type { FederationIdentity } from '../../../../crawler/probe/matrix-signed.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { getServer } from '../../../../db/queries/servers/get-server.ts';
import { getServerObservations } from '../../../../db/queries/servers/get-server-observations.ts';
import { getDirectoryExposure } from '../../../../db/queries/software/get-directory-exposure.ts';
import { healthReport } from '../../../../site/lib/health-report.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa } from '../../../../sim/test-ca.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver, type FakeRoom } from '../../../../sim/matrix-federation.ts';
import { openTestStore, type TestStore } from '../../../harness/store.ts';
import { testNetContext } from '../../../harness/net-context.ts';
import type { NetContext } from '../../../../crawler/net/context.ts';

const identity: FederationIdentity = { serverName: 'chatlas.test', key: generateSigningKey() };
const stranger: FederationIdentity = { serverName: 'chatlas.test', key: generateSigningKey() };
const trusted = { 'chatlas.test': identity.key.publicKey };

const rooms = (server: string, n: number): FakeRoom[] => Array.from({ length: n }, (_, i) => ({
  room_id: `!room${i}:${server}`, name: `Room ${i} of ${server}`, canonical_alias: `#room${i}:${server}`,
  num_joined_members: 10 + i, world_readable: false, guest_can_join: false,
}));

let dns: DnsServer;
let ctx: NetContext;
let store: TestStore;
const hosts: FakeHomeserver[] = [];

before(async () => {
  const ca = await createTestCa();
  dns = await startDnsServer({
    host: '127.27.0.53',
    zones: { 'fedonly.test': { A: ['127.27.0.1'] }, 'both.test': { A: ['127.27.0.2'] }, 'closed.test': { A: ['127.27.0.3'] } },
  });
  // Synapse as admins configure it: no client directory without a token, the directory over federation.
  hosts.push(await startHomeserver(ca, '127.27.0.1', ['fedonly.test'], {
    8448: matrixApiRoutes({ serverName: 'fedonly.test', rooms: rooms('fedonly.test', 150), maxPage: 100, directoryAuthRequired: true, federationDirectory: { trusted } }),
  }));
  // Both directories open; one room local-only (m.federate: false): in the client directory only.
  hosts.push(await startHomeserver(ca, '127.27.0.2', ['both.test'], {
    8448: matrixApiRoutes({
      serverName: 'both.test',
      rooms: [...rooms('both.test', 3), { room_id: '!elsewhere:both.test', canonical_alias: '#guest:other.test', num_joined_members: 999, world_readable: false, guest_can_join: false }],
      federationDirectory: { trusted, localOnly: ['!room2:both.test'] },
      aliasServers: { '#room1:both.test': ['both.test', 'member-a.test', 'member-b.test', 'not a name'] },
    }),
  }));
  // Synapse's defaults: neither directory shared.
  hosts.push(await startHomeserver(ca, '127.27.0.3', ['closed.test'], {
    8448: matrixApiRoutes({ serverName: 'closed.test', rooms: rooms('closed.test', 2), directoryAuthRequired: true, federationDirectory: { trusted, shared: false } }),
  }));
  ctx = testNetContext(dns, { caPem: ca.caPem, env: { CHATLAS_STEP_TIMEOUT_MS: '3000', CHATLAS_CONNECT_TIMEOUT_MS: '2000', CHATLAS_DNS_TIMEOUT_MS: '1000', CHATLAS_PROBE_TIMEOUT_MS: '30000' } });
  store = await openTestStore();
});

after(async () => {
  await ctx?.close();
  for (const h of hosts) await h.close();
  await dns?.close();
  await store?.cleanup();
});

const probe = (domain: string, federation?: FederationIdentity): Promise<ProbeResult> =>
  probeMatrix(ctx, domain, { passId: crypto.randomUUID(), ...(federation ? { federation } : {}) });

/** The server page's findings for `domain`, from what the store holds. */
async function pageFindings(domain: string): Promise<string[]> {
  const [server] = await getServer(store.db, { domain });
  assert.ok(server, `${domain} is stored`);
  const observations = await getServerObservations(store.db, { domain });
  return healthReport(server, observations, new Date()).map((f) => `${f.title} ${f.detail}`);
}

test('with an identity, a server sharing only its federation directory has all its rooms listed, every page signed', async () => {
  const result = await probe('fedonly.test', identity);
  assert.equal(result.snapshot.status, 'ok');
  assert.equal(result.rooms.length, 150);
  assert.equal(result.snapshot.publicRooms, 150);
  assert.equal(result.snapshot.directory, 'federation');
  assert.ok(result.rooms.every((r) => r.federates === true), 'listed over federation: joinable from other servers');
  const pages = result.observations.filter((o) => o.step === 'matrix.federation-public-rooms');
  assert.equal(pages.length, 2, 'two signed pages of 100');
  assert.ok(pages.every((o) => o.outcome === 'ok'));
  assert.ok(result.snapshot.report.some((r) => r.level === 'ok' && /shared over federation: 150 rooms/.test(r.message)));
  await insertProbeResults(store.db, [result]);
  assert.deepEqual((await getDirectoryExposure(store.db)).filter((r) => r.software === ''), [{ software: '', directory: 'federation', servers: 1 }]);
});

test('without an identity the same server lists no room, and its server page says why', async () => {
  const result = await probe('fedonly.test');
  assert.equal(result.rooms.length, 0);
  assert.equal(result.snapshot.directory, 'none');
  assert.equal(result.observations.filter((o) => o.step === 'matrix.federation-public-rooms').length, 0, 'no federation request without an identity');
  await insertProbeResults(store.db, [{ ...result, snapshot: { ...result.snapshot, observedAt: new Date(Date.now() + 1000) } }]);
  const findings = await pageFindings('fedonly.test');
  assert.ok(findings.some((m) => /no federation identity/.test(m)), findings.join(' | '));
});

test('a room in the client directory but not in the complete federation one is local-only', async () => {
  const result = await probe('both.test', identity);
  assert.equal(result.snapshot.directory, 'both');
  const byId = new Map(result.rooms.map((r) => [r.roomId, r]));
  assert.equal(byId.size, 4);
  assert.equal(byId.get('!room0:both.test')?.federates, true);
  assert.equal(byId.get('!room2:both.test')?.federates, false);
  assert.ok(result.snapshot.report.some((r) => /1 room is in the client directory but not shared over federation/.test(r.message)));
});

test("a server that shares neither gets 'none' and the admin is told which setting shares it", async () => {
  const result = await probe('closed.test', identity);
  assert.equal(result.rooms.length, 0);
  assert.equal(result.snapshot.directory, 'none');
  const item = result.snapshot.report.find((r) => r.step === 'matrix.federation-public-rooms');
  assert.match(item?.message ?? '', /not shared over federation, and the client directory needs an access token/);
  assert.match(item?.fix ?? '', /allow_public_rooms_over_federation/);
});

test('a signature the server cannot verify is reported as refused, not as a closed directory', async () => {
  const result = await probe('fedonly.test', stranger);
  assert.equal(result.rooms.length, 0);
  const item = result.snapshot.report.find((r) => r.step === 'matrix.federation-public-rooms');
  assert.equal(item?.level, 'warn');
  assert.match(item?.message ?? '', /M_UNAUTHORIZED/);
});

test("a room's own aliases name the servers in it (signed query/directory); another server's alias is never asked", async () => {
  const result = await probe('both.test', identity);
  const asked = result.observations.filter((o) => o.step === 'matrix.alias-servers').map((o) => o.facts['alias']);
  assert.deepEqual(asked.sort(), ['#room0:both.test', '#room1:both.test', '#room2:both.test']);
  const fromAliases = result.discoveries.filter((d) => d.via === 'alias-servers').map((d) => d.domain).sort();
  assert.deepEqual(fromAliases, ['member-a.test', 'member-b.test']);
  assert.ok(!result.discoveries.some((d) => d.domain === 'both.test'), 'the server itself is not a discovery');
});
