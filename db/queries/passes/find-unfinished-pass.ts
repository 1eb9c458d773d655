import type { Db } from '../../client.ts';

/** A pass that started and never reached `done` or `failed`. */
export interface UnfinishedPassRow {
  pass_id: string;
  /** epoch ms */
  started_at: number;
  planned: number;
}

/**
 * The newest pass of this shard still `running`: a crawl killed in the middle.
 * The states are folded with argMax, so the answer does not depend on merges.
 */
export async function findUnfinishedPass(db: Db, params: { shard: string }): Promise<UnfinishedPassRow | null> {
  const rs = await db.client.query({
    query: `SELECT toString(pass_id) AS pass_id, toUnixTimestamp64Milli(min(started_at)) AS started_at,
        argMax(planned, updated_at) AS planned
      FROM passes
      WHERE shard = {shard:String}
      GROUP BY pass_id
      HAVING argMax(state, updated_at) = 'running'
      ORDER BY started_at DESC
      LIMIT 1`,
    query_params: { shard: params.shard },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<UnfinishedPassRow>();
  return row ? { pass_id: row.pass_id, started_at: Number(row.started_at), planned: Number(row.planned) } : null;
}
