import type { Db } from '../../client.ts';

/**
 * Domains currently opted out by any source: the crawler scheduler skips
 * them. A domain is out while the newest row of at least one source is active.
 */
export async function listOptedOutDomains(db: Db): Promise<string[]> {
  const rs = await db.client.query({
    query: `SELECT domain FROM (
        SELECT domain, source, argMax(active, observed_at) AS active FROM opt_outs GROUP BY domain, source
      ) GROUP BY domain HAVING max(active) ORDER BY domain`,
    format: 'JSONEachRow',
  });
  return (await rs.json<{ domain: string }>()).map((r) => r.domain);
}
