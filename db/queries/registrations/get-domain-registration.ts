import type { Db } from '../../client.ts';
import { fromRecord, REGISTRATION_COLUMNS, type Registration, type RegistrationRecord } from './registration-row.ts';

/**
 * The current verified (or removed) registration of a domain, or `null`:
 * the one whose admin controls the listing. When several claimants proved
 * ownership over time, the latest proof wins.
 */
export async function getDomainRegistration(db: Db, domain: string): Promise<Registration | null> {
  const rs = await db.client.query({
    query: `SELECT ${REGISTRATION_COLUMNS} FROM registrations
      WHERE domain = {domain:String}
        AND (registration_id, updated_at) IN (SELECT registration_id, max(updated_at) FROM registrations WHERE domain = {domain:String} GROUP BY registration_id)
        AND state IN ('verified', 'removed')
      ORDER BY verified_at DESC, updated_at DESC LIMIT 1`,
    query_params: { domain },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<RegistrationRecord>();
  return rows[0] ? fromRecord(rows[0]) : null;
}
