/**
 * The Matrix federation identity on the real engine (issue 11, item 1):
 * the key is created once, survives a reopen of the store, rotates with the
 * old key kept as an old_verify_key, and concurrent first starts (and
 * concurrent rotations) converge on ONE key.
 *
 * The races are forced, not hoped for: every racing call is held at its
 * insert until all of them have read the (empty) key set, so all of them
 * claim. With CLICKHOUSE_URL set the racers use two separate clients, as two
 * processes would; the embedded engine is one per process, so there they
 * share one client. Loopback only: chdb in a temp folder, or the server of
 * CLICKHOUSE_URL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createDb, type Db } from '../../../db/client.ts';
import type { DbConfig } from '../../../db/config.ts';
import { migrate } from '../../../db/migrate.ts';
import { StoreError } from '../../../db/store-error.ts';
import { listMatrixSigningKeys } from '../../../db/queries/matrix-keys/list-matrix-signing-keys.ts';
import { insertMatrixSigningKeys } from '../../../db/queries/matrix-keys/insert-matrix-signing-keys.ts';
import { loadOrCreateIdentity, rotateKey, type MatrixIdentity } from '../../../federation/identity.ts';
import { buildServerKeysResponse, parseServerKeysResponse } from '../../../crawler/protocol/matrix-server-keys.ts';
import { signFederationRequest, parseXMatrixHeader, verifyFederationRequest } from '../../../crawler/protocol/matrix-request-auth.ts';
import { ProbeError } from '../../../crawler/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'chatlas-identity-'));
const url = process.env.CLICKHOUSE_URL;
const config: DbConfig = {
  dataDir: join(root, 'data'), url, user: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '',
  database: url ? `chatlas_id_${randomUUID().replaceAll('-', '').slice(0, 12)}` : 'chatlas', cluster: undefined,
};
let db: Db;
/** A second client on the same store when that is possible (a server), else the same one. */
let other: Db;

before(async () => {
  db = await createDb(config);
  await migrate(db);
  other = url ? await createDb(config) : db;
});
after(async () => {
  if (url) {
    await db.client.command({ query: `DROP DATABASE IF EXISTS ${config.database}` });
    await other.close();
  }
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

const NOW = new Date('2026-11-24T12:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const noWait = { sleep: async () => {} };

/** Close the store and open it again, as a restart does. */
async function reopen(): Promise<void> {
  if (url) await other.close();
  await db.close();
  db = await createDb(config);
  await migrate(db);
  other = url ? await createDb(config) : db;
}

/** `db` whose inserts wait until `barrier.size` inserts have arrived, across every client wrapped with the same barrier. */
function heldAtInsert(base: Db, barrier: { size: number; waiting: (() => void)[] }): Db {
  const client = new Proxy(base.client, {
    get(target, prop, receiver) {
      if (prop === 'insert') {
        return async (params: Parameters<typeof target.insert>[0]) => {
          await new Promise<void>((resolve) => {
            barrier.waiting.push(resolve);
            if (barrier.waiting.length === barrier.size) for (const go of barrier.waiting) go();
          });
          return target.insert(params);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...base, client };
}

function sameKey(identities: MatrixIdentity[]): string {
  const ids = new Set(identities.map((i) => i.current.keyId));
  const publics = new Set(identities.map((i) => i.current.publicKey));
  assert.equal(ids.size, 1, `expected one key, got ${[...ids].join(', ')}`);
  assert.equal(publics.size, 1);
  return [...ids][0]!;
}

test('first start creates a key; later starts and a reopened store return the same key', async () => {
  const first = await loadOrCreateIdentity(db, 'chatlas.example.org', NOW);
  assert.match(first.current.keyId, /^ed25519:a_[A-Za-z0-9]{8}$/);
  assert.deepEqual(first.oldKeys, []);
  assert.equal(first.currentCreatedAt.getTime(), NOW.getTime());
  const again = await loadOrCreateIdentity(db, 'chatlas.example.org', later(1000));
  assert.equal(again.current.keyId, first.current.keyId);
  await reopen();
  const restarted = await loadOrCreateIdentity(db, 'chatlas.example.org', later(2000));
  assert.equal(restarted.current.keyId, first.current.keyId);
  assert.ok(restarted.current.seed.equals(first.current.seed), 'the same private key, not only the same id');
  assert.equal((await listMatrixSigningKeys(db, 'chatlas.example.org')).length, 1);
  // Another server name is another identity.
  const elsewhere = await loadOrCreateIdentity(db, 'other.example.org', NOW);
  assert.notEqual(elsewhere.current.keyId, first.current.keyId);
});

test('rotation: a new current key, the old one kept with expired_ts; survives a reopen; the key response verifies', async () => {
  const name = 'rotate.example.org';
  const before = await loadOrCreateIdentity(db, name, NOW);
  const rotated = await rotateKey(db, name, later(60_000));
  assert.notEqual(rotated.current.keyId, before.current.keyId);
  assert.deepEqual(rotated.oldKeys, [{ keyId: before.current.keyId, publicKey: before.current.publicKey, expiredTs: later(60_000).getTime() }]);
  await reopen();
  const loaded = await loadOrCreateIdentity(db, name, later(120_000));
  assert.deepEqual({ current: loaded.current.keyId, old: loaded.oldKeys }, { current: rotated.current.keyId, old: rotated.oldKeys });
  const twice = await rotateKey(db, name, later(180_000));
  assert.deepEqual(twice.oldKeys.map((k) => k.keyId), [rotated.current.keyId, before.current.keyId], 'newest retired first');
  // The published response lists the current key and both old ones, and our own strict reader accepts it.
  const body = buildServerKeysResponse({ serverName: name, currentKey: twice.current, oldKeys: twice.oldKeys, now: later(180_000).getTime() });
  const read = parseServerKeysResponse(JSON.stringify(body), name);
  assert.ok(!(read instanceof ProbeError), read instanceof ProbeError ? read.message : '');
  assert.deepEqual(read.signedBy, [twice.current.keyId]);
  assert.deepEqual(Object.keys(read.oldVerifyKeys).sort(), [before.current.keyId, rotated.current.keyId].sort());
  // A request signed with the stored key verifies against the published one.
  const request = { method: 'GET', uri: '/_matrix/federation/v1/version', origin: name, destination: 'synapse.test' };
  const auth = parseXMatrixHeader(signFederationRequest(request, twice.current) as string);
  assert.ok(!(auth instanceof ProbeError));
  assert.equal(verifyFederationRequest(request, auth, 'synapse.test', read.verifyKeys[twice.current.keyId]!), true);
});

test('concurrent first starts converge on ONE key (every racer claims; one claim is stored)', async () => {
  const name = 'race.example.org';
  const racers = 6;
  const barrier = { size: racers, waiting: [] as (() => void)[] };
  const clients = [heldAtInsert(db, barrier), heldAtInsert(other, barrier)];
  const identities = await Promise.all(Array.from({ length: racers }, (_, i) => loadOrCreateIdentity(clients[i % 2]!, name, later(i), noWait)));
  assert.equal(barrier.waiting.length, racers, 'every racer found no key and claimed one');
  const keyId = sameKey(identities);
  const stored = await listMatrixSigningKeys(db, name);
  assert.deepEqual(stored.map((r) => r.keyId), [keyId], 'exactly one key stored');
  // And it is what every later start gets.
  assert.equal((await loadOrCreateIdentity(other, name, later(10_000))).current.keyId, keyId);
});

test('concurrent rotations from one key store one new key, which all of them return', async () => {
  const name = 'race-rotate.example.org';
  const start = await loadOrCreateIdentity(db, name, NOW);
  const racers = 4;
  const barrier = { size: racers, waiting: [] as (() => void)[] };
  const clients = [heldAtInsert(db, barrier), heldAtInsert(other, barrier)];
  const identities = await Promise.all(Array.from({ length: racers }, (_, i) => rotateKey(clients[i % 2]!, name, later(1000 + i), noWait)));
  const keyId = sameKey(identities);
  assert.notEqual(keyId, start.current.keyId);
  const stored = await listMatrixSigningKeys(db, name);
  assert.equal(stored.length, 2, `one old and one new key, got ${stored.map((r) => r.keyId).join(', ')}`);
  assert.deepEqual(stored.filter((r) => r.expiredAt === null).map((r) => r.keyId), [keyId]);
});

test('a claim dropped as a duplicate waits for the winner to become readable (replica lag), within bounds', async () => {
  const name = 'lag.example.org';
  // Reads after the insert see nothing for a while, as a lagging replica would.
  let hiddenReads = 0;
  let insertDone = false;
  const lagging: Db = {
    ...db,
    client: new Proxy(db.client, {
      get(target, prop, receiver) {
        if (prop === 'insert') return async (p: Parameters<typeof target.insert>[0]) => { const r = await target.insert(p); insertDone = true; return r; };
        if (prop === 'query') {
          return (p: Parameters<typeof target.query>[0]) => {
            if (insertDone && hiddenReads < 3) {
              hiddenReads++;
              return target.query({ ...p, query_params: { ...p.query_params, serverName: 'nobody.invalid' } });
            }
            return target.query(p);
          };
        }
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }),
  };
  const pauses: number[] = [];
  const identity = await loadOrCreateIdentity(lagging, name, NOW, { readDelayMs: 5, sleep: async (ms) => { pauses.push(ms); } });
  assert.equal(hiddenReads, 3);
  assert.deepEqual(pauses, [5, 5, 5]);
  assert.equal(identity.current.keyId, (await listMatrixSigningKeys(db, name))[0]!.keyId);
  // A claim that never becomes readable ends in a StoreError, not a hang.
  hiddenReads = -1_000;
  insertDone = false;
  await assert.rejects(loadOrCreateIdentity(lagging, 'never.example.org', NOW, { readAttempts: 4, sleep: async () => {} }), (e: unknown) => {
    assert.ok(e instanceof StoreError);
    assert.equal(e.code, 'store.corrupt');
    assert.match(e.message, /the first signing key of never\.example\.org was written but is not readable after 4 reads/);
    return true;
  });
});

test('a corrupt stored key and a bad server name are refused with clear errors', async () => {
  const name = 'corrupt.example.org';
  await insertMatrixSigningKeys(db, [{ serverName: name, keyId: 'ed25519:a_bad', seed: 'c2hvcnQ', publicKey: 'x', createdAt: NOW, expiredAt: null, updatedAt: NOW }], `test:${randomUUID()}`);
  await assert.rejects(loadOrCreateIdentity(db, name, NOW), (e: unknown) => e instanceof StoreError && e.code === 'store.corrupt' && /ed25519:a_bad of corrupt\.example\.org does not decode/.test(e.message) && !e.message.includes('c2hvcnQ'));
  await assert.rejects(loadOrCreateIdentity(db, 'not a name', NOW), /Matrix server name "not a name" is not a valid server name/);
  await assert.rejects(rotateKey(db, '', NOW), TypeError);
});
