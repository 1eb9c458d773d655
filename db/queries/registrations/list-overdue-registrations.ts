import type { Db } from '../../client.ts';
import { fromRecord, REGISTRATION_COLUMNS, type Registration, type RegistrationRecord } from './registration-row.ts';

/** Pending registrations whose deadline passed, oldest first, at most `limit`. */
export async function listOverdueRegistrations(db: Db, params: { now: Date; limit: number }): Promise<Registration[]> {
  const rs = await db.client.query({
    query: `SELECT ${REGISTRATION_COLUMNS} FROM registrations
      WHERE (registration_id, updated_at) IN (SELECT registration_id, max(updated_at) FROM registrations GROUP BY registration_id)
        AND state = 'pending' AND expires_at <= fromUnixTimestamp64Milli({now:Int64})
      ORDER BY expires_at LIMIT {limit:UInt32}`,
    query_params: { now: params.now.getTime(), limit: params.limit },
    format: 'JSONEachRow',
  });
  return (await rs.json<RegistrationRecord>()).map(fromRecord);
}
