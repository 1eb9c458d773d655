/**
 * The store both guide benchmarks read (bench/guide.ts, bench/guide-facts.ts):
 * the synthetic network (seed 11, one probe per server-day) written through the
 * crawler's writer into `<dataDir>`, so every daily rollup the guide reads is
 * filled by the store's own views. A folder that already holds a store is
 * opened as it is (the fill is skipped: `--data` of a kept store).
 */
import { existsSync } from 'node:fs';
import { createDb, type Db } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { insertProbeResults } from '../db/queries/observations/insert-probe-results.ts';
import { syntheticNetwork } from '../tests/harness/synthetic.ts';

/** The opened store, and the fill's seconds (null when the folder was already filled). */
export interface GuideStore {
  db: Db;
  fillSeconds: number | null;
}

/** Open (and fill, when new) the guide benchmarks' store in `dataDir`. */
export async function openGuideStore(dataDir: string, size: { servers: number; days: number }): Promise<GuideStore> {
  const fresh = !existsSync(dataDir);
  const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
  await migrate(db);
  if (!fresh) return { db, fillSeconds: null };
  const t = performance.now();
  for (const day of syntheticNetwork({ servers: size.servers, days: size.days, roomsPerServer: 0.5, roomDays: 1, stepsPerProbe: 1, seed: 11 })) {
    for (let i = 0; i < day.length; i += 5000) await insertProbeResults(db, day.slice(i, i + 5000));
    process.stderr.write(`\rfilled ${day[0]!.snapshot.observedAt.toISOString().slice(0, 10)} (${((performance.now() - t) / 1000).toFixed(0)} s)   `);
  }
  const fillSeconds = Math.round((performance.now() - t) / 1000);
  process.stderr.write(`\nfill: ${fillSeconds} s\n`);
  await db.client.command({ query: 'OPTIMIZE TABLE servers_latest FINAL' });
  await db.client.command({ query: 'OPTIMIZE TABLE servers_last_ok FINAL' });
  return { db, fillSeconds };
}
