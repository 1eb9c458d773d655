import type { Db } from '../../client.ts';
import { fromRecord, REGISTRATION_COLUMNS, type Registration, type RegistrationRecord } from './registration-row.ts';

/**
 * The current version of one registration, or `null`. Reads the newest row
 * instead of relying on FINAL, so a version written a moment ago is seen even
 * before the merge.
 */
export async function getRegistration(db: Db, id: string): Promise<Registration | null> {
  const rs = await db.client.query({
    query: `SELECT ${REGISTRATION_COLUMNS} FROM registrations
      WHERE registration_id = {id:UUID}
      ORDER BY updated_at DESC LIMIT 1`,
    query_params: { id },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<RegistrationRecord>();
  return rows[0] ? fromRecord(rows[0]) : null;
}
