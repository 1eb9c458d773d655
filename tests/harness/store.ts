/**
 * A fresh store for one test file: the embedded engine in a temp folder, or,
 * when CLICKHOUSE_URL is set, a fresh database on that server (dropped after),
 * so the same suite runs on both (issue 2, item 7).
 *
 * chdb binds one data folder per process, and node --test runs each file in
 * its own process, so one store per file is the rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../../db/client.ts';
import { loadDbConfig, type DbConfig } from '../../db/config.ts';
import { migrate } from '../../db/migrate.ts';

export interface TestStore {
  db: Db;
  config: DbConfig;
  /** Close and remove the folder or drop the database. */
  cleanup(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const url = process.env.CLICKHOUSE_URL;
  if (url) {
    const database = `chatlas_test_${randomBytes(6).toString('hex')}`;
    const config = loadDbConfig({ env: { ...process.env, CLICKHOUSE_DATABASE: database } });
    const db = await createDb(config);
    await migrate(db);
    return {
      db, config,
      async cleanup() {
        await db.client.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
        await db.close();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-test-'));
  const config = loadDbConfig({ env: { CHATLAS_DATA: join(dir, 'data') } });
  const db = await createDb(config);
  await migrate(db);
  return {
    db, config,
    async cleanup() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run a query and return its rows. */
export async function rows<T = Record<string, unknown>>(db: Db, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await db.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}
