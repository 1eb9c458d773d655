import { createHash } from 'node:crypto';
import type { Db } from '../../client.ts';

/**
 * Mark servers done in a pass without new observations (the resume repair of
 * `list-unmarked-snapshots.ts`). The dedup token is derived from the rows, so
 * a repair repeated after another crash is dropped by ClickHouse instead of
 * writing the marks twice.
 */
export async function insertPassProgress(
  db: Db,
  passId: string,
  rows: Array<{ protocol: string; domain: string; doneAt: Date }>,
): Promise<void> {
  if (rows.length === 0) return;
  const h = createHash('sha256').update(`repair\0${passId}`);
  for (const r of rows) h.update(`\0${r.protocol}\0${r.domain}\0${r.doneAt.getTime()}`);
  await db.client.insert({
    table: 'pass_progress',
    values: rows.map((r) => ({ pass_id: passId, protocol: r.protocol, domain: r.domain, done_at: r.doneAt.getTime() })),
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: `${h.digest('hex').slice(0, 32)}:pass_progress` },
  });
}
