import type { Db } from '../../client.ts';

/** Pending registrations still inside their deadline. */
export interface PendingCounts {
  total: number;
  byClient: number;
  byDomain: number;
}

/**
 * Count live pending registrations in total, for one client key and for one
 * domain: the abuse caps of POST /api/v1/registrations.
 */
export async function countPendingRegistrations(db: Db, params: { clientKey: string; domain: string; now: Date }): Promise<PendingCounts> {
  const rs = await db.client.query({
    query: `SELECT count() AS total, countIf(client_key = {client:String}) AS by_client, countIf(domain = {domain:String}) AS by_domain
      FROM (
        SELECT registration_id,
               argMax(state, updated_at) AS state,
               argMax(expires_at, updated_at) AS expires_at,
               argMax(client_key, updated_at) AS client_key,
               argMax(domain, updated_at) AS domain
        FROM registrations GROUP BY registration_id
      )
      WHERE state = 'pending' AND expires_at > fromUnixTimestamp64Milli({now:Int64})`,
    query_params: { client: params.clientKey, domain: params.domain, now: params.now.getTime() },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ total: string | number; by_client: string | number; by_domain: string | number }>();
  return { total: Number(row?.total ?? 0), byClient: Number(row?.by_client ?? 0), byDomain: Number(row?.by_domain ?? 0) };
}
