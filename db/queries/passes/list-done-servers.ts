import type { Db } from '../../client.ts';

/** A (protocol, domain) acknowledged done in a pass. */
export interface DoneServerRow {
  protocol: string;
  domain: string;
}

/**
 * Servers a pass has finished: those in `pass_progress`, which
 * `insertProbeResults` writes last, so each has all its rows stored.
 */
export async function listDoneServers(db: Db, params: { passId: string }): Promise<DoneServerRow[]> {
  const rs = await db.client.query({
    query: `SELECT DISTINCT protocol, domain FROM pass_progress WHERE pass_id = {passId:UUID}`,
    query_params: { passId: params.passId },
    format: 'JSONEachRow',
  });
  return rs.json<DoneServerRow>();
}
