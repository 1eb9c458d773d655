import { createHash } from 'node:crypto';
import type { Db } from '../../client.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { discoveryRow, observationRow, roomSnapshotRow, serverSnapshotRow } from '../../rows.ts';
import { roomsCurrentRows } from '../rooms/update-rooms-current.ts';
import { carryForward, unmeasured } from '../../carry-forward.ts';
import { listCarrySources } from './list-carry-sources.ts';
import { roomIndexOf } from '../../room-index/room-index-slot.ts';

/** Options of {@link insertProbeResults}. */
export interface InsertProbeResultsOptions {
  /**
   * Identifies this batch for deduplication: a retried insert with the same
   * token is dropped by ClickHouse (non_replicated_deduplication_window), so a
   * caller that lost an acknowledgement can send the batch again safely.
   * @default a hash of the batch's pass ids, domains and steps
   */
  dedupToken?: string;
}

/**
 * Write a batch of probe results. Tables are written in dependency order and
 * `pass_progress` last, so a (pass, domain) marked done always has all its
 * rows. After a crash between two inserts the domain is not marked done and
 * the resumed pass probes it again; readers of a pass count only domains in
 * `pass_progress`, so the orphaned partial rows never skew a statistic.
 */
export async function insertProbeResults(db: Db, results: ProbeResult[], options: InsertProbeResultsOptions = {}): Promise<void> {
  if (results.length === 0) return;
  const token = options.dedupToken ?? batchToken(results);
  const settings = (table: string) => ({ insert_deduplication_token: `${token}:${table}`, deduplicate_blocks_in_dependent_materialized_views: 1 as const });
  const insert = async (table: string, values: unknown[]) => {
    if (values.length === 0) return;
    await db.client.insert({ table, values, format: 'JSONEachRow', clickhouse_settings: settings(table) });
  };
  await insert('observations', results.flatMap((r) => r.observations.map(observationRow)));
  await insert('room_snapshots', results.flatMap((r) => r.rooms.map(roomSnapshotRow)));
  // The room directory (migration 0008): upserts and tombstones computed from what the batch's servers
  // listed before. A replay is dropped by its token, or, beyond the dedup window, writes the same
  // upserts again and no tombstones (the first run already left rooms_current at this listing).
  // Only listings that were walked: a probe that did not measure rooms this time listed none, and
  // must not tombstone the rooms its last walk found (crawler/fact-kinds.ts).
  const current = await roomsCurrentRows(db, results.filter((r) => r.snapshot.measured === undefined || r.snapshot.measured.includes('rooms')));
  await insert('rooms_current', current);
  // This process's room index searches its own writes at once (other processes' indexes poll for them).
  roomIndexOf(db)?.applyWritten(current);
  await insert('discoveries', results.flatMap((r) => r.discoveries.map(discoveryRow)));
  // What an ok probe did not re-measure is carried forward from the server's last good row (db/carry-forward.ts).
  const snapshots = results.map((r) => serverSnapshotRow(r.snapshot));
  const partial = snapshots.filter((s) => s.status === 'ok' && unmeasured(s.measured).length > 0);
  const sources = await listCarrySources(db, partial);
  await insert('server_snapshots', snapshots.map((s) => carryForward(s, sources.get(`${s.protocol}:${s.domain}`))));
  // done_at is the wall-clock time of this write (the table's 30-day TTL counts from it), not the
  // observation time, which may lie in the past for backfills and replays.
  const doneAt = Date.now();
  await insert('pass_progress', results.map((r) => ({
    pass_id: r.snapshot.passId,
    domain: r.snapshot.domain,
    protocol: r.snapshot.protocol,
    done_at: doneAt,
  })));
}

function batchToken(results: ProbeResult[]): string {
  const h = createHash('sha256');
  for (const r of results) {
    h.update(`${r.snapshot.passId}\0${r.snapshot.protocol}\0${r.snapshot.domain}\0${r.snapshot.observedAt.getTime()}\0${r.observations.length}\0`);
  }
  return h.digest('hex').slice(0, 32);
}
