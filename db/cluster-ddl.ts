/**
 * The DDL of cluster mode (`chatlas migrate --cluster NAME`), as pure
 * functions; db/migrate.ts runs them.
 *
 * Layout on a cluster (docs/scale-out.md section 1):
 * - `<db>_local` holds the migrations' tables, run unchanged there:
 *   Replicated*MergeTree, created ON CLUSTER, one set of parts per shard.
 *   Their materialized views read and write local tables, so an insert that
 *   reaches a shard feeds that shard's views.
 * - `<db>` holds, for every table (not view) of `<db>_local`, a table of the
 *   same name and columns with `ENGINE = Distributed(NAME, '<db>_local',
 *   name, key)`, the key from db/sharding-keys.ts. Chatlas's queries and
 *   inserts use unqualified names in `<db>`, so they go through these
 *   unchanged.
 * - `<db>_local.schema_migrations` records what ran, replicated to every
 *   node of the cluster (one Keeper path for all shards).
 */
import { SHARDING_KEYS } from './sharding-keys.ts';

/** Where cluster mode creates the migrations' tables. */
export function localDatabase(database: string): string {
  return `${database}_local`;
}

/** Database and cluster names, already validated as plain identifiers (db/config.ts). */
export interface ClusterNames {
  database: string;
  cluster: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `CREATE TABLE <db>.name ON CLUSTER … AS <db>_local.name ENGINE = Distributed(…)`.
 * `AS` copies the local table's columns, defaults and MATERIALIZED columns.
 * @throws {Error} when the table has no sharding key in db/sharding-keys.ts.
 */
export function distributedTableSql(table: string, names: ClusterNames): string {
  if (!IDENTIFIER.test(table)) throw new Error(`table name ${JSON.stringify(table)} is not a plain identifier`);
  const key = SHARDING_KEYS[table];
  if (!key) throw new Error(`table ${table} has no sharding key: add it to db/sharding-keys.ts`);
  const local = localDatabase(names.database);
  return `CREATE TABLE IF NOT EXISTS ${names.database}.${table} ON CLUSTER ${names.cluster} AS ${local}.${table} `
    + `ENGINE = Distributed('${names.cluster}', '${local}', '${table}', ${key})`;
}

/** A table of either database, as system.tables lists it. */
export interface TableEngine {
  name: string;
  engine: string;
}

/** What {@link planDistributedTables} found. */
export interface DistributedPlan {
  /** CREATE statements for the local tables that have no Distributed twin yet. */
  create: string[];
  /** Tables of `<db>` that share a local table's name but are not Distributed. */
  conflicts: string[];
}

/**
 * The Distributed tables still missing for the local tables: every local
 * table except views and schema_migrations. A table of the same name in
 * `<db>` that is not Distributed (a store migrated before cluster mode made
 * Distributed tables) is a conflict, never replaced.
 */
export function planDistributedTables(local: readonly TableEngine[], main: readonly TableEngine[], names: ClusterNames): DistributedPlan {
  const existing = new Map(main.map((t) => [t.name, t.engine]));
  const plan: DistributedPlan = { create: [], conflicts: [] };
  for (const t of local) {
    if (isView(t.engine) || t.name === 'schema_migrations') continue;
    const engine = existing.get(t.name);
    if (engine === undefined) plan.create.push(distributedTableSql(t.name, names));
    else if (engine !== 'Distributed') plan.conflicts.push(t.name);
  }
  return plan;
}

/** View engines: View, MaterializedView, LiveView, WindowView. They get no Distributed twin. */
export function isView(engine: string): boolean {
  return /View$/.test(engine);
}

const ALTER = /^ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)(?=\s)/i;
const COLUMN_CHANGE = /\b(ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN\b/i;

/**
 * The same column change for a table's Distributed twin: a Distributed table
 * keeps its own column list, so an `ALTER TABLE t … ADD COLUMN` run on
 * `<db>_local.t` must also run on `<db>.t`. Returns the statement with the
 * table qualified by `<db>`, or `undefined` when the statement is not an
 * ALTER of columns (indexes, TTL and settings belong to the local table only).
 */
export function distributedAlterSql(statement: string, database: string): string | undefined {
  const m = ALTER.exec(statement);
  if (!m || !COLUMN_CHANGE.test(statement)) return undefined;
  return `ALTER TABLE ${database}.${m[1]}${statement.slice(m[0].length)}`;
}

/**
 * The migrations' record. On one server: in `<db>`, as it always was. On a
 * cluster: in `<db>_local`, with one explicit Keeper path for the whole
 * cluster (the default path has `{shard}` in it), so every node reads the
 * same record whichever node `migrate` connects to. The replica name is
 * `{shard}-{replica}` because some clusters reuse replica names across shards.
 */
export function schemaMigrationsSql(database: string, cluster: string | undefined): string {
  const columns = "(version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))";
  if (!cluster) {
    return `CREATE TABLE IF NOT EXISTS schema_migrations
      ${columns}
      ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`;
  }
  const local = localDatabase(database);
  return `CREATE TABLE IF NOT EXISTS ${local}.schema_migrations ON CLUSTER ${cluster}
      ${columns}
      ENGINE = ReplicatedReplacingMergeTree('/clickhouse/chatlas/${cluster}/${local}/schema_migrations', '{shard}-{replica}', applied_at)
      ORDER BY version`;
}
