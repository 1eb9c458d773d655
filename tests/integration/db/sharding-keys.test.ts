/**
 * Cluster mode's sharding map against the real schema: runs every migration
 * on a fresh store and checks that each table they create (not views) has a
 * sharding key in db/sharding-keys.ts that the engine accepts on that table.
 * A future migration adding a table without a key fails here.
 * There is no ClickHouse cluster on the test machines: the cluster DDL itself
 * is checked as text in tests/unit/db/cluster-ddl.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isView } from '../../../db/cluster-ddl.ts';
import { CLUSTER_SETTINGS } from '../../../db/cluster-settings.ts';
import { SHARDING_KEYS } from '../../../db/sharding-keys.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';

let store: TestStore;
before(async () => { store = await openTestStore(); });
after(async () => { await store?.cleanup(); });

async function tables(): Promise<string[]> {
  const list = await rows<{ name: string; engine: string }>(store.db,
    'SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name', { db: store.db.database });
  return list.filter((t) => !isView(t.engine) && t.name !== 'schema_migrations').map((t) => t.name);
}

test('every table the migrations create has a sharding key', async () => {
  const created = await tables();
  assert.ok(created.length >= 15, `expected the migrations' tables, got ${created.join(', ')}`);
  const missing = created.filter((t) => !(t in SHARDING_KEYS));
  assert.deepEqual(missing, [], `add these tables to db/sharding-keys.ts: ${missing.join(', ')}`);
});

test('each sharding key is a valid UInt64 expression over its table\'s columns', async () => {
  for (const table of await tables()) {
    const [row] = await rows<{ name: string; type: string }>(store.db, `DESCRIBE TABLE (SELECT ${SHARDING_KEYS[table]} AS k FROM ${table})`);
    assert.equal(row?.type, 'UInt64', table);
  }
});

test('tables holding a server column are sharded by it', async () => {
  const cols = await rows<{ table: string; name: string }>(store.db,
    "SELECT table, name FROM system.columns WHERE database = {db:String} AND name IN ('domain', 'server')", { db: store.db.database });
  for (const c of cols) {
    if (!(c.table in SHARDING_KEYS)) continue; // views and schema_migrations
    assert.equal(SHARDING_KEYS[c.table], `cityHash64(${c.name})`, `${c.table} has a ${c.name} column`);
  }
});

test('the cluster settings exist in this ClickHouse (names checked against system.settings)', async () => {
  const known = await rows<{ name: string }>(store.db, 'SELECT name FROM system.settings WHERE name IN {names:Array(String)}', { names: Object.keys(CLUSTER_SETTINGS) });
  assert.deepEqual(known.map((k) => k.name).sort(), Object.keys(CLUSTER_SETTINGS).sort());
});
