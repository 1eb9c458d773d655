// Child process for crash.test.ts: inserts large batches into the store at argv[2], starting at batch
// argv[3], and prints "ack <n>" only after ClickHouse acknowledged batch n. It runs until killed or argv[4] batches.
import { createDb } from '../../../../db/client.ts';
import { loadDbConfig } from '../../../../db/config.ts';
import { migrate } from '../../../../db/migrate.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { batchOf } from './batch-of.ts';

const [dir, startText, countText] = process.argv.slice(2);
const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dir } }));
await migrate(db);
const start = Number(startText);
for (let n = start; n < start + Number(countText); n++) {
  await insertProbeResults(db, batchOf(n));
  process.stdout.write(`ack ${n}\n`);
}
await db.close();
