import type { Db } from '../../client.ts';

/** The latest state of one instance registration. */
export interface RegisteredDomainRow {
  domain: string;
  protocol: string;
  /** pending | verified | expired | removed */
  state: string;
  /** The owner asked not to be probed (until a newer row lifts it). */
  opt_out: boolean;
}

/**
 * Registrations created before `asOf`, each at its latest state (ReplacingMergeTree rows
 * folded with argMax so no FINAL is needed). The opt-out flag is read at its latest state
 * whatever `asOf`: an opt-out asked during a pass is honoured by that pass when it resumes.
 */
export async function listRegisteredDomains(db: Db, params: { asOf: Date }): Promise<RegisteredDomainRow[]> {
  const rs = await db.client.query({
    query: `SELECT domain, argMax(protocol, updated_at) AS protocol, argMax(state, updated_at) AS state,
        argMax(opt_out, updated_at) AS opt_out
      FROM registrations
      GROUP BY domain, registration_id
      HAVING min(created_at) < fromUnixTimestamp64Milli({asOf:Int64}, 'UTC')
      ORDER BY domain`,
    query_params: { asOf: params.asOf.getTime() },
    format: 'JSONEachRow',
  });
  return (await rs.json<RegisteredDomainRow>()).map((r) => ({ ...r, opt_out: Boolean(r.opt_out) }));
}
