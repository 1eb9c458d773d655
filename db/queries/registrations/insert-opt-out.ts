import type { Db } from '../../client.ts';
import { roomIndexOf } from '../../room-index/room-index-slot.ts';

/** One opt-out sighting or change. */
export interface OptOutRow {
  domain: string;
  source: 'dns-txt' | 'robots' | 'registration';
  active: boolean;
  observedAt: Date;
}

/** Record an opt-out (or its lifting, `active: false`); the newest row per (domain, source) wins. */
export async function insertOptOut(db: Db, row: OptOutRow): Promise<void> {
  await db.client.insert({
    table: 'opt_outs',
    values: [{ domain: row.domain, source: row.source, active: row.active, observed_at: row.observedAt.getTime() }],
    format: 'JSONEachRow',
  });
  // The room index holds visibility in memory: it reads it again before its next search.
  roomIndexOf(db)?.invalidateVisibility();
}
