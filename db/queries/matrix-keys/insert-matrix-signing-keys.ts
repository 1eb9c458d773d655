import type { Db } from '../../client.ts';
import { toRow, type MatrixSigningKeyRow } from './matrix-signing-key-row.ts';

/**
 * Write key versions in ONE insert (one block: all of it lands or none does).
 *
 * `dedupToken` makes the insert a claim: of all inserts carrying the same
 * token into this table, ClickHouse keeps only the first and silently drops
 * the others (insert_deduplication_token; Keeper-arbitrated on a Replicated
 * table, the table's deduplication log on one server via
 * non_replicated_deduplication_window). federation/identity.ts derives the
 * token from the state it is changing, so that of two processes making the
 * same change at once exactly one change is stored.
 */
export async function insertMatrixSigningKeys(db: Db, rows: readonly MatrixSigningKeyRow[], dedupToken: string): Promise<void> {
  if (rows.length === 0) return;
  await db.client.insert({
    table: 'matrix_signing_keys',
    values: rows.map(toRow),
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: dedupToken },
  });
}
