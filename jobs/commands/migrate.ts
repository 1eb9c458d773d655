import { createDb } from '../../db/client.ts';
import { loadDbConfig } from '../../db/config.ts';
import { migrate } from '../../db/migrate.ts';
import type { CommandSpec } from '../cli/command.ts';

export const migrateCommand: CommandSpec = {
  name: 'migrate',
  summary: 'Create or update the store schema (also done automatically at start)',
  help: `Usage: chatlas migrate [--cluster NAME]

Applies db/migrations/*.sql in order and records each in schema_migrations.
Safe to run twice and from two processes at once. With --cluster NAME
(ClickHouse server only) the tables are created ON CLUSTER as Replicated*
engines in <database>_local, and <database> gets a Distributed table over each,
sharded by server name (docs/scale-out.md).`,
  options: {},
  config: ['db'],
  async run(ctx) {
    const db = await createDb(loadDbConfig({ env: ctx.env, flags: ctx.flags }));
    try {
      const result = await migrate(db);
      const where = `${db.kind} store at ${db.location}`;
      ctx.stdout.write(result.applied.length === 0
        ? `${where}: schema up to date (${result.alreadyApplied} migrations)\n`
        : `${where}: applied ${result.applied.join(', ')} (${result.alreadyApplied} already applied)\n`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
