import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distributedAlterSql, distributedTableSql, isView, localDatabase, planDistributedTables, schemaMigrationsSql } from '../../../db/cluster-ddl.ts';
import { CLUSTER_SETTINGS } from '../../../db/cluster-settings.ts';
import { loadMigrations, renderMigration } from '../../../db/migrate.ts';
import { SHARDING_KEYS } from '../../../db/sharding-keys.ts';
import { splitSql } from '../../../db/split-sql.ts';

const names = { database: 'chatlas', cluster: 'main' };

test('localDatabase: <db>_local', () => {
  assert.equal(localDatabase('chatlas'), 'chatlas_local');
});

test('distributedTableSql: same name in <db>, AS the local table, Distributed over <db>_local with the sharding key', () => {
  assert.equal(distributedTableSql('observations', names),
    "CREATE TABLE IF NOT EXISTS chatlas.observations ON CLUSTER main AS chatlas_local.observations "
    + "ENGINE = Distributed('main', 'chatlas_local', 'observations', cityHash64(domain))");
  assert.match(distributedTableSql('rooms_current', names), /Distributed\('main', 'chatlas_local', 'rooms_current', cityHash64\(server\)\)$/);
});

test('distributedTableSql: a table without a sharding key, or with an odd name, is refused', () => {
  assert.throws(() => distributedTableSql('no_such_table', names), /no sharding key: add it to db\/sharding-keys\.ts/);
  assert.throws(() => distributedTableSql('x; DROP TABLE y', names), /not a plain identifier/);
});

test('planDistributedTables: twins for tables only, none for views or schema_migrations, existing twins kept', () => {
  const local = [
    { name: 'discoveries', engine: 'ReplicatedMergeTree' },
    { name: 'domains', engine: 'ReplicatedAggregatingMergeTree' },
    { name: 'domains_mv', engine: 'MaterializedView' },
    { name: 'schema_migrations', engine: 'ReplicatedReplacingMergeTree' },
  ];
  const plan = planDistributedTables(local, [{ name: 'discoveries', engine: 'Distributed' }], names);
  assert.deepEqual(plan.conflicts, []);
  assert.deepEqual(plan.create, [distributedTableSql('domains', names)]);
  assert.deepEqual(planDistributedTables(local, [], names).create, [distributedTableSql('discoveries', names), distributedTableSql('domains', names)]);
});

test('planDistributedTables: a same-named table that is not Distributed (the older replicated layout) is a conflict', () => {
  const plan = planDistributedTables([{ name: 'observations', engine: 'ReplicatedMergeTree' }], [{ name: 'observations', engine: 'ReplicatedMergeTree' }], names);
  assert.deepEqual(plan, { create: [], conflicts: ['observations'] });
});

test('isView: views and materialized views get no twin', () => {
  for (const e of ['View', 'MaterializedView', 'LiveView', 'WindowView']) assert.ok(isView(e), e);
  for (const e of ['MergeTree', 'ReplicatedReplacingMergeTree', 'Distributed']) assert.ok(!isView(e), e);
});

test('distributedAlterSql: column changes are repeated on the <db> twin, other ALTERs are not', () => {
  const add = "ALTER TABLE registrations ON CLUSTER main ADD COLUMN IF NOT EXISTS admin_secret_hash String DEFAULT '' AFTER client_key";
  assert.equal(distributedAlterSql(add, 'chatlas'),
    "ALTER TABLE chatlas.registrations ON CLUSTER main ADD COLUMN IF NOT EXISTS admin_secret_hash String DEFAULT '' AFTER client_key");
  assert.equal(distributedAlterSql('ALTER TABLE t ON CLUSTER main MODIFY COLUMN x UInt64', 'chatlas'), 'ALTER TABLE chatlas.t ON CLUSTER main MODIFY COLUMN x UInt64');
  assert.equal(distributedAlterSql('ALTER TABLE t ON CLUSTER main ADD INDEX i x TYPE minmax GRANULARITY 1', 'chatlas'), undefined);
  assert.equal(distributedAlterSql('ALTER TABLE t ON CLUSTER main MODIFY TTL toDate(x) + 1', 'chatlas'), undefined);
  assert.equal(distributedAlterSql('CREATE TABLE IF NOT EXISTS t (x UInt8) ENGINE = MergeTree ORDER BY x', 'chatlas'), undefined);
});

test('every ALTER in the migrations, rendered for a cluster, is either repeated on the twin or touches no column', () => {
  for (const m of loadMigrations()) {
    for (const statement of splitSql(renderMigration(m.sql, 'main'))) {
      if (!/^ALTER /i.test(statement)) continue;
      const twin = distributedAlterSql(statement, 'chatlas');
      if (/\bCOLUMN\b/i.test(statement)) assert.ok(twin?.startsWith('ALTER TABLE chatlas.'), `${m.name}: ${statement.slice(0, 80)}`);
    }
  }
});

test('schemaMigrationsSql: unchanged on one server; on a cluster in <db>_local with one Keeper path for every shard', () => {
  const single = schemaMigrationsSql('chatlas', undefined);
  assert.match(single, /^CREATE TABLE IF NOT EXISTS schema_migrations\s/);
  assert.match(single, /ENGINE = ReplacingMergeTree\(applied_at\) ORDER BY version$/);
  assert.doesNotMatch(single, /ON CLUSTER|Replicated|_local/);
  const cluster = schemaMigrationsSql('chatlas', 'main');
  assert.match(cluster, /^CREATE TABLE IF NOT EXISTS chatlas_local\.schema_migrations ON CLUSTER main\s/);
  assert.match(cluster, /ReplicatedReplacingMergeTree\('\/clickhouse\/chatlas\/main\/chatlas_local\/schema_migrations', '\{shard\}-\{replica\}', applied_at\)/);
  assert.doesNotMatch(cluster, /\/\{shard\}\//, 'the path must not depend on the shard');
});

test('every sharding key hashes columns (no rand(): a replayed batch must reach the same shard to be deduplicated)', () => {
  for (const [table, key] of Object.entries(SHARDING_KEYS)) {
    assert.match(key, /^cityHash64\((CAST\([a-z_]+, 'String'\)|[a-z_]+)(, [a-z_]+)*\)$/, table);
  }
});

test('cluster settings: synchronous Distributed inserts and shard-local IN/JOIN subqueries', () => {
  assert.deepEqual(CLUSTER_SETTINGS, { distributed_foreground_insert: 1, distributed_product_mode: 'local' });
});
