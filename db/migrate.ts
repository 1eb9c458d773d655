/**
 * Applies `db/migrations/NNNN_name.sql` in order and records each in
 * `schema_migrations` with its checksum.
 *
 * Safety rules:
 * - every statement is idempotent (`IF NOT EXISTS`), checked by a unit test,
 *   so a migration that failed halfway is completed by running it again, and
 *   two processes migrating one server at once converge on the same schema;
 * - a migration is recorded only after all its statements succeeded;
 * - an applied migration whose file changed is refused (`store.migration-edited`):
 *   write a new migration instead.
 *
 * On a cluster (`db.cluster`) the files run unchanged in `<db>_local`, and
 * each table they create gets a Distributed twin in `<db>`; see
 * db/cluster-ddl.ts and docs/scale-out.md.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Db } from './client.ts';
import { distributedAlterSql, localDatabase, planDistributedTables, schemaMigrationsSql, type ClusterNames, type TableEngine } from './cluster-ddl.ts';
import { StoreError } from './store-error.ts';
import { splitSql } from './split-sql.ts';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** The folder shipped with Chatlas. */
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url).pathname;

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Read and validate the migration files of `dir`. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const m = FILE.exec(file);
    if (!m) throw new Error(`migration file ${JSON.stringify(file)} is not named NNNN_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    const version = Number(m[1]);
    if (out.length > 0 && out[out.length - 1]!.version === version) {
      throw new Error(`two migrations share version ${m[1]}`);
    }
    out.push({ version, name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

/** Substitute the cluster placeholders; see the header of 0001_discoveries.sql. */
export function renderMigration(sql: string, cluster: string | undefined): string {
  return sql
    .replaceAll('${ON_CLUSTER}', cluster ? `ON CLUSTER ${cluster}` : '')
    .replaceAll('${REPLICATED}', cluster ? 'Replicated' : '');
}

/** What `migrate` did. */
export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Bring the store's schema up to date.
 * @throws {StoreError} `store.migration-edited`, `store.migration-failed`.
 */
export async function migrate(db: Db, migrations: Migration[] = loadMigrations()): Promise<MigrateResult> {
  const cluster = clusterOf(db);
  // The client that holds schema_migrations: <db>_local on a cluster, <db> otherwise.
  const record = cluster?.local ?? db.client;
  if (cluster) await refusePreDistributedLayout(db);
  await record.command({ query: schemaMigrationsSql(db.database, db.cluster) });
  const applied = await appliedMigrations(record);
  // Every run, not only after a new migration: a twin lost or never made (a moved database) is recreated.
  if (cluster) await createDistributedTables(db, cluster);
  const known = new Set(migrations.map((m) => m.version));
  for (const [version, row] of applied) {
    if (!known.has(version)) {
      throw new StoreError('store.migration-edited', `the store has migration ${pad(version)}_${row.name}, which this Chatlas does not know: it was written by a newer version`);
    }
  }
  const result: MigrateResult = { applied: [], alreadyApplied: 0 };
  for (const m of migrations) {
    const done = applied.get(m.version);
    if (done) {
      if (done.checksum !== m.checksum) {
        throw new StoreError('store.migration-edited', `migration ${pad(m.version)}_${m.name} was changed after it was applied; add a new migration instead of editing it`);
      }
      result.alreadyApplied++;
      continue;
    }
    const statements = splitSql(renderMigration(m.sql, db.cluster));
    for (const [i, statement] of statements.entries()) {
      try {
        if (cluster) await runOnCluster(db, cluster, statement);
        else await db.client.command({ query: statement });
      } catch (error) {
        const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        throw new StoreError('store.migration-failed', `migration ${pad(m.version)}_${m.name} failed at statement ${i + 1} of ${statements.length}: ${why} (fix the cause and run migrate again; applied statements are kept and are safe to repeat)`, { cause: error });
      }
    }
    if (cluster) await checkDistributed(db, cluster, m);
    await record.insert({
      table: 'schema_migrations',
      values: [{ version: m.version, name: m.name, checksum: m.checksum, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    result.applied.push(`${pad(m.version)}_${m.name}`);
  }
  return result;
}

async function appliedMigrations(client: ClickHouseClient): Promise<Map<number, { name: string; checksum: string }>> {
  const rs = await client.query({
    query: 'SELECT version, argMax(name, applied_at) AS name, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version ORDER BY version',
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ version: number; name: string; checksum: string }>();
  return new Map(rows.map((r) => [Number(r.version), { name: r.name, checksum: r.checksum }]));
}

function pad(version: number): string {
  return String(version).padStart(4, '0');
}

/** Cluster mode's names and its client on `<db>_local`. */
interface ClusterContext {
  names: ClusterNames;
  local: ClickHouseClient;
}

function clusterOf(db: Db): ClusterContext | undefined {
  if (!db.cluster) return undefined;
  if (!db.localClient) throw new Error(`cluster ${db.cluster} is set but the store has no client on ${localDatabase(db.database)}`);
  return { names: { database: db.database, cluster: db.cluster }, local: db.localClient };
}

/**
 * One rendered statement in cluster mode. DDL runs in `<db>_local`; a data
 * statement (0008's backfill INSERT … SELECT) runs in `<db>`, so it reads
 * every shard and its rows are routed by the sharding key. A new table gets
 * its Distributed twin at once (a later statement of the same migration may
 * insert into it), and a column change is repeated on the twin.
 */
async function runOnCluster(db: Db, cluster: ClusterContext, statement: string): Promise<void> {
  if (/^INSERT\b/i.test(statement)) {
    await db.client.command({ query: statement });
    return;
  }
  await cluster.local.command({ query: statement });
  if (/^CREATE\s+TABLE\b/i.test(statement)) await createDistributedTables(db, cluster);
  const alter = distributedAlterSql(statement, db.database);
  if (alter) await db.client.command({ query: alter });
}

/** Create the Distributed twins still missing, from what system.tables lists in both databases. */
async function createDistributedTables(db: Db, cluster: ClusterContext): Promise<void> {
  const [local, main] = await Promise.all([tablesOf(db, localDatabase(db.database)), tablesOf(db, db.database)]);
  const plan = planDistributedTables(local, main, cluster.names);
  if (plan.conflicts.length > 0) {
    throw new StoreError('store.migration-failed', `${db.database} has tables that are not Distributed (${plan.conflicts.join(', ')}): it was migrated before cluster mode sharded the data; see docs/scale-out.md`);
  }
  for (const query of plan.create) await db.client.command({ query });
}

/**
 * After a migration: every local table has a Distributed twin with the same
 * column names and types (a Distributed table keeps its own column list, so
 * an ALTER the twin missed would break inserts and reads of that column).
 */
async function checkDistributed(db: Db, cluster: ClusterContext, m: Migration): Promise<void> {
  await createDistributedTables(db, cluster);
  const rs = await db.client.query({
    query: `SELECT database, table, groupArray((name, type)) AS columns
      FROM (SELECT database, table, name, type FROM system.columns
            WHERE database IN ({main:String}, {local:String}) AND table != 'schema_migrations' ORDER BY position)
      GROUP BY database, table`,
    query_params: { main: db.database, local: localDatabase(db.database) },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ database: string; table: string; columns: [string, string][] }>();
  const main = new Map(rows.filter((r) => r.database === db.database).map((r) => [r.table, JSON.stringify(r.columns)]));
  for (const r of rows) {
    if (r.database === db.database || !main.has(r.table)) continue;
    if (main.get(r.table) !== JSON.stringify(r.columns)) {
      throw new StoreError('store.migration-failed', `migration ${pad(m.version)}_${m.name}: ${db.database}.${r.table} (Distributed) and ${localDatabase(db.database)}.${r.table} have different columns; repeat the migration's column change on ${db.database}.${r.table} ON CLUSTER ${cluster.names.cluster}`);
    }
  }
}

async function tablesOf(db: Db, database: string): Promise<TableEngine[]> {
  const rs = await db.client.query({
    query: 'SELECT name, engine FROM system.tables WHERE database = {database:String}',
    query_params: { database },
    format: 'JSONEachRow',
  });
  return rs.json<TableEngine>();
}

/**
 * A cluster migrated before cluster mode made Distributed tables has its
 * Replicated tables and schema_migrations in `<db>` itself; creating the new
 * layout next to it would hide that data behind empty Distributed tables.
 */
async function refusePreDistributedLayout(db: Db): Promise<void> {
  const old = await tablesOf(db, db.database);
  if (old.some((t) => t.name === 'schema_migrations')) {
    throw new StoreError('store.migration-failed', `${db.database}.schema_migrations exists: this cluster holds the replicated, unsharded layout of an older Chatlas (tables in ${db.database}); migrate it to ${localDatabase(db.database)} + Distributed tables by hand (docs/scale-out.md), or use another CLICKHOUSE_DATABASE`);
  }
}
