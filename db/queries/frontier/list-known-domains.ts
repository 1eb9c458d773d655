import type { Db } from '../../client.ts';

/** A domain known to the store, as the frontier needs it. */
export interface KnownDomainRow {
  domain: string;
  protocols: string[];
  vias: string[];
  /** Domains whose probes named it (at most 64). */
  sources: string[];
}

/**
 * Domains discovered before `asOf` (the `domains` rollup of `discoveries`).
 * `asOf` makes a pass's plan reproducible: a resumed pass re-plans as of its
 * start and gets the same domains, whatever was discovered since.
 */
export async function listKnownDomains(db: Db, params: { asOf: Date }): Promise<KnownDomainRow[]> {
  const rs = await db.client.query({
    query: `SELECT domain, groupUniqArrayArray(protocols) AS protocols, groupUniqArrayArray(vias) AS vias, groupUniqArrayArray(sources) AS sources
      FROM domains
      GROUP BY domain
      HAVING min(first_seen) < fromUnixTimestamp64Milli({asOf:Int64}, 'UTC')
      ORDER BY domain`,
    query_params: { asOf: params.asOf.getTime() },
    format: 'JSONEachRow',
  });
  return rs.json<KnownDomainRow>();
}
