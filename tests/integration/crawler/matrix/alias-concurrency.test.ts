/**
 * Alias queries in flight together (crawler/probe/matrix-aliases.ts): a probe resolving N aliases
 * by signed `query/directory` sends them ALIAS_CONCURRENCY at a time, capped by the network layer's
 * per-host concurrency, in ceil(N / limit) round trips instead of N; each answer amends its own
 * observation, and observations and discoveries keep the rooms' order whatever order the answers
 * arrive in. Simulated homeservers on 127.20.11.0/24 (the simulated Matrix federation's block).
 *
 * No wall clock: the fake server holds each query until a second one is in flight (or no more are
 * coming), counts the queries in its handler at once, and answers the later one of each pair first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { probeMatrix } from '../../../../crawler/probe/matrix.ts';
import { ALIAS_CONCURRENCY } from '../../../../crawler/probe/matrix-aliases.ts';
import { generateSigningKey } from '../../../../crawler/protocol/matrix-signing.ts';
import type { FederationIdentity } from '../../../../crawler/probe/matrix-signed.ts';
import type { NetContext } from '../../../../crawler/net/context.ts';
import type { ProbeResult } from '../../../../crawler/types.ts';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa } from '../../../../sim/test-ca.ts';
import { json, type Handler } from '../../../../sim/fake-https.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver, type FakeRoom } from '../../../../sim/matrix-federation.ts';
import { testNetContext } from '../../../harness/net-context.ts';

const identity: FederationIdentity = { serverName: 'chatlas.test', key: generateSigningKey() };
const trusted = { 'chatlas.test': identity.key.publicKey };
const QUERY = '/_matrix/federation/v1/query/directory';

/** Rooms `#room{i}:server` with 10 + i members: asked largest first, room{n-1} down to room0. */
const rooms = (server: string, n: number): FakeRoom[] => Array.from({ length: n }, (_, i) => ({
  room_id: `!room${i}:${server}`, name: `Room ${i}`, canonical_alias: `#room${i}:${server}`,
  num_joined_members: 10 + i, world_readable: false, guest_can_join: false,
}));

/** Queries seen by one fake server's alias handler. */
interface Counter { arrived: string[]; inFlight: number; maxInFlight: number; rounds: number }

/**
 * `inner` behind a barrier: a query is held until another one is held too (both then answered, the
 * later first), or until the last of each probe's `expected` queries has arrived. Sequential queries would never be released before
 * the probe's step timeout, and would show `maxInFlight` 1.
 */
function paired(inner: Handler, expected: number, counter: Counter): Handler {
  let held: (() => void)[] = [];
  return (req: IncomingMessage, res: ServerResponse) => new Promise<void>((resolve) => {
    counter.arrived.push(new URL(req.url ?? '/', 'https://x').searchParams.get('room_alias') ?? '');
    counter.inFlight++;
    counter.maxInFlight = Math.max(counter.maxInFlight, counter.inFlight);
    res.on('close', () => { counter.inFlight--; });
    held.push(() => { void Promise.resolve(inner(req, res)).finally(resolve); });
    if (held.length >= 2 || counter.arrived.length % expected === 0) {
      const release = held.reverse();
      held = [];
      counter.rounds++;
      for (const answer of release) answer();
    }
  });
}

const newCounter = (): Counter => ({ arrived: [], inFlight: 0, maxInFlight: 0, rounds: 0 });
const N = 9;
const many = newCounter();
const unknown = newCounter();
const refusing = newCounter();

let dns: DnsServer;
let ctx: NetContext;
const hosts: FakeHomeserver[] = [];

/** The servers alias `#room{i}:many.test` names: 1 + i % 3 of them. */
const namedBy = (i: number): string[] => Array.from({ length: 1 + (i % 3) }, (_, k) => `s${i}-${k}.test`);

before(async () => {
  const ca = await createTestCa();
  dns = await startDnsServer({
    host: '127.20.11.53',
    zones: { 'many.test': { A: ['127.20.11.1'] }, 'unknown.test': { A: ['127.20.11.2'] }, 'refusing.test': { A: ['127.20.11.3'] } },
  });
  const manyRoutes = matrixApiRoutes({
    serverName: 'many.test', rooms: rooms('many.test', N), federationDirectory: { trusted },
    aliasServers: Object.fromEntries(Array.from({ length: N }, (_, i) => [`#room${i}:many.test`, namedBy(i)])),
  });
  const known = manyRoutes[QUERY]!;
  // One alias the server no longer knows (a stale canonical alias): 404 like Synapse.
  const withStale: Handler = (req, res) => (req.url ?? '').includes(encodeURIComponent('#room5:many.test'))
    ? json({ errcode: 'M_NOT_FOUND', error: 'Room alias not found' }, 404)(req, res)
    : known(req, res);
  hosts.push(await startHomeserver(ca, '127.20.11.1', ['many.test'], { 8448: { ...manyRoutes, [QUERY]: paired(withStale, N, many) } }));
  // A server whose listed aliases it does not know: asked until three unknowns are read, plus those already in flight.
  const unknownRoutes = matrixApiRoutes({ serverName: 'unknown.test', rooms: rooms('unknown.test', N), federationDirectory: { trusted } });
  const none: Handler = (req, res) => json({ errcode: 'M_NOT_FOUND', error: 'Room alias not found' }, 404)(req, res);
  hosts.push(await startHomeserver(ca, '127.20.11.2', ['unknown.test'], { 8448: { ...unknownRoutes, [QUERY]: paired(none, 4, unknown) } }));
  // A server that lists its rooms but refuses the alias queries (401, as Synapse to a signature it cannot verify).
  const refusingRoutes = matrixApiRoutes({ serverName: 'refusing.test', rooms: rooms('refusing.test', N), federationDirectory: { trusted } });
  const refuse: Handler = (req, res) => json({ errcode: 'M_UNAUTHORIZED', error: 'Invalid signature' }, 401)(req, res);
  hosts.push(await startHomeserver(ca, '127.20.11.3', ['refusing.test'], { 8448: { ...refusingRoutes, [QUERY]: paired(refuse, 2, refusing) } }));
  ctx = testNetContext(dns, { caPem: ca.caPem, env: { CHATLAS_STEP_TIMEOUT_MS: '3000', CHATLAS_CONNECT_TIMEOUT_MS: '2000', CHATLAS_DNS_TIMEOUT_MS: '1000', CHATLAS_PROBE_TIMEOUT_MS: '30000' } });
});

after(async () => {
  await ctx?.close();
  for (const h of hosts) await h.close();
  await dns?.close();
});

const probe = (domain: string, federation: FederationIdentity): Promise<ProbeResult> =>
  probeMatrix(ctx, domain, { passId: crypto.randomUUID(), federation });
const aliasObservations = (r: ProbeResult) => r.observations.filter((o) => o.step === 'matrix.alias-servers');
/** The aliases in the order a probe asks them: the largest room first. */
const largestFirst = (server: string, n: number): string[] => Array.from({ length: n }, (_, k) => `#room${N - 1 - k}:${server}`);

test('N aliases are asked a few at a time: the server sees more than one in flight, never more than the limit, in ceil(N / limit) rounds', async () => {
  const result = await probe('many.test', identity);
  const limit = Math.min(ALIAS_CONCURRENCY, ctx.config.perHostConcurrency);
  assert.equal(many.arrived.length, N, 'every alias asked once');
  assert.deepEqual([...many.arrived].sort(), largestFirst('many.test', N).sort());
  assert.ok(many.maxInFlight > 1, `queries overlapped (max in flight ${many.maxInFlight})`);
  assert.ok(many.maxInFlight <= limit, `at most ${limit} in flight (saw ${many.maxInFlight})`);
  assert.equal(many.rounds, Math.ceil(N / limit), 'one round trip per batch, not per alias');
  assert.equal(aliasObservations(result).length, N);
});

test("each observation carries its own alias's answer, in the rooms' order whatever order the answers came in", async () => {
  const result = await probe('many.test', identity);
  const obs = aliasObservations(result);
  assert.deepEqual(obs.map((o) => o.facts['alias']), largestFirst('many.test', N), 'largest room first, as asked');
  for (const o of obs) {
    const i = Number(/^#room(\d+):/.exec(String(o.facts['alias']))?.[1]);
    assert.equal(o.facts['url'], `https://many.test:8448${QUERY}?room_alias=${encodeURIComponent(String(o.facts['alias']))}`);
    if (i === 5) {
      assert.equal(o.outcome, 'absent', 'the stale alias, not a neighbour, is absent');
      assert.equal(o.facts['servers'], undefined);
      assert.equal(o.facts['status'], 404);
    } else {
      assert.equal(o.outcome, 'ok', `#room${i}`);
      assert.equal(o.facts['status'], 200);
      assert.equal(o.facts['servers'], namedBy(i).length, `#room${i} names its own ${namedBy(i).length} servers`);
      assert.match(o.raw, new RegExp(`"room_id":"!room${i}:many.test"`), 'its own answer');
    }
  }
  const found = result.discoveries.filter((d) => d.via === 'alias-servers').map((d) => d.domain);
  const expected = largestFirst('many.test', N).flatMap((a) => {
    const i = Number(/^#room(\d+):/.exec(a)?.[1]);
    return i === 5 ? [] : namedBy(i);
  });
  assert.deepEqual(found, expected, 'discoveries in the rooms order');
});

test('a server that knows none of its aliases is asked until three unknowns are read: 3 + those in flight', async () => {
  const result = await probe('unknown.test', identity);
  const limit = Math.min(ALIAS_CONCURRENCY, ctx.config.perHostConcurrency);
  const obs = aliasObservations(result);
  assert.equal(obs.length, 3 + limit - 1);
  assert.deepEqual(obs.map((o) => o.facts['alias']), largestFirst('unknown.test', 3 + limit - 1));
  assert.ok(obs.every((o) => o.outcome === 'absent'));
  assert.equal(unknown.arrived.length, obs.length);
  assert.equal(result.discoveries.filter((d) => d.via === 'alias-servers').length, 0);
});

test('a refusal (401) stops the asking: only the queries already in flight are sent, each recorded as auth-required', async () => {
  const result = await probe('refusing.test', identity);
  const limit = Math.min(ALIAS_CONCURRENCY, ctx.config.perHostConcurrency);
  const obs = aliasObservations(result);
  assert.equal(refusing.arrived.length, limit);
  assert.deepEqual(obs.map((o) => [o.facts['alias'], o.outcome]), largestFirst('refusing.test', limit).map((a) => [a, 'auth-required']));
});
