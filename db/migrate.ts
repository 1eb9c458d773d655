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
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './client.ts';
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
  const onCluster = db.cluster ? ` ON CLUSTER ${db.cluster}` : '';
  const engine = db.cluster ? 'ReplicatedReplacingMergeTree(applied_at)' : 'ReplacingMergeTree(applied_at)';
  await db.client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations${onCluster}
      (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
      ENGINE = ${engine} ORDER BY version`,
  });
  const applied = await appliedMigrations(db);
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
        await db.client.command({ query: statement });
      } catch (error) {
        const why = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        throw new StoreError('store.migration-failed', `migration ${pad(m.version)}_${m.name} failed at statement ${i + 1} of ${statements.length}: ${why} (fix the cause and run migrate again; applied statements are kept and are safe to repeat)`, { cause: error });
      }
    }
    await db.client.insert({
      table: 'schema_migrations',
      values: [{ version: m.version, name: m.name, checksum: m.checksum, applied_at: Date.now() }],
      format: 'JSONEachRow',
    });
    result.applied.push(`${pad(m.version)}_${m.name}`);
  }
  return result;
}

async function appliedMigrations(db: Db): Promise<Map<number, { name: string; checksum: string }>> {
  const rs = await db.client.query({
    query: 'SELECT version, argMax(name, applied_at) AS name, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version ORDER BY version',
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ version: number; name: string; checksum: string }>();
  return new Map(rows.map((r) => [Number(r.version), { name: r.name, checksum: r.checksum }]));
}

function pad(version: number): string {
  return String(version).padStart(4, '0');
}
