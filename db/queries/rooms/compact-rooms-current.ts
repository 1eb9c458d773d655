import type { Db } from '../../client.ts';
import { localDatabase } from '../../cluster-ddl.ts';

/**
 * Merge `rooms_current` down to one row per room (`OPTIMIZE … FINAL`).
 *
 * Every pass writes a new version of each listed room, and the directory reads the
 * table with FINAL, which collapses versions at query time: its cost follows the
 * rows not yet merged, not the rooms. Background merges catch up only in a process
 * that lives long and not across the largest parts, so `chatlas serve` compacts it
 * in housekeeping (jobs/rollup/housekeeping.ts). Measured on 975,000 rooms after 30 days of
 * passes (1.5 M rows in 3 parts): 3 s, and room searches 150-200 → 65-100 ms
 * (BENCHMARKS.md, Site). Tombstones stay (the reads filter them).
 *
 * On a cluster the table to merge is the replicated one in `<db>_local`, on every shard.
 */
export async function compactRoomsCurrent(db: Db): Promise<void> {
  const query = db.cluster
    ? `OPTIMIZE TABLE ${localDatabase(db.database)}.rooms_current ON CLUSTER ${db.cluster} FINAL`
    : 'OPTIMIZE TABLE rooms_current FINAL';
  await db.client.command({ query });
}
