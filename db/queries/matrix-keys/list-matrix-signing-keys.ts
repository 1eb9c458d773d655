import type { Db } from '../../client.ts';
import { fromRecord, MATRIX_SIGNING_KEY_COLUMNS, type MatrixSigningKeyRecord, type MatrixSigningKeyRow } from './matrix-signing-key-row.ts';

/**
 * Every signing key of `serverName`, each in its newest version, oldest key
 * first (by `created_at`, then key id, so every process sees one order).
 * Reads the newest row per key instead of relying on FINAL, so a rotation
 * written a moment ago is seen before the merge.
 */
export async function listMatrixSigningKeys(db: Db, serverName: string): Promise<MatrixSigningKeyRow[]> {
  const rs = await db.client.query({
    query: `SELECT * FROM (
        SELECT ${MATRIX_SIGNING_KEY_COLUMNS} FROM matrix_signing_keys
        WHERE server_name = {serverName:String}
        ORDER BY key_id, updated_at DESC
        LIMIT 1 BY key_id
      ) ORDER BY created_ms, key_id`,
    query_params: { serverName },
    format: 'JSONEachRow',
  });
  return (await rs.json<MatrixSigningKeyRecord>()).map(fromRecord);
}
