import type { Logger } from 'pino';
import { createDb, type Db } from '../../db/client.ts';
import { loadDbConfig } from '../../db/config.ts';
import { migrate } from '../../db/migrate.ts';
import type { CommandContext } from './command.ts';

/**
 * Open the configured store and bring its schema up to date, as every
 * command that touches data does at start (migrations are idempotent).
 * @throws {StoreError} with a one-line message.
 */
export async function openStore(ctx: Pick<CommandContext, 'env' | 'flags'>, logger?: Logger): Promise<Db> {
  const config = loadDbConfig({ env: ctx.env, flags: ctx.flags });
  const db = await createDb(config);
  try {
    const result = await migrate(db);
    if (result.applied.length > 0) logger?.debug({ applied: result.applied }, 'store migrated');
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
