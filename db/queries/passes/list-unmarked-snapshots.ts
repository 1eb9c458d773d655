import type { Db } from '../../client.ts';

/** A server snapshot of a pass whose `pass_progress` row is missing. */
export interface UnmarkedSnapshotRow {
  protocol: string;
  domain: string;
  /** epoch ms of the snapshot (aliased: `observed_at` would shadow the column in WHERE) */
  at: number;
}

/**
 * Snapshots stored for a pass without their `pass_progress` row: a crash hit
 * between the two inserts of `insertProbeResults`. The snapshot is the last
 * table written before the progress row, so its presence means the server's
 * observations, rooms and discoveries are stored too; the resumed pass marks
 * these done instead of probing them again, which would write a second
 * snapshot for the same (pass, server) and count it twice in the daily rollups.
 */
export async function listUnmarkedSnapshots(db: Db, params: { passId: string; since: Date }): Promise<UnmarkedSnapshotRow[]> {
  const rs = await db.client.query({
    query: `SELECT protocol, domain, toUnixTimestamp64Milli(max(observed_at)) AS at
      FROM server_snapshots
      WHERE pass_id = {passId:UUID} AND observed_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
        AND (protocol, domain) NOT IN (SELECT protocol, domain FROM pass_progress WHERE pass_id = {passId:UUID})
      GROUP BY protocol, domain`,
    query_params: { passId: params.passId, since: params.since.getTime() },
    format: 'JSONEachRow',
  });
  return (await rs.json<UnmarkedSnapshotRow>()).map((r) => ({ ...r, at: Number(r.at) }));
}
