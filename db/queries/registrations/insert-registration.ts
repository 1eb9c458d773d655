import type { Db } from '../../client.ts';
import { roomIndexOf } from '../../room-index/room-index-slot.ts';
import { toRow, type Registration } from './registration-row.ts';

/**
 * Write a new version of a registration. Nothing is updated in place: the
 * version with the newest `updated_at` is the current one (ReplacingMergeTree).
 */
export async function insertRegistration(db: Db, registration: Registration): Promise<void> {
  await db.client.insert({ table: 'registrations', values: [toRow(registration)], format: 'JSONEachRow' });
  // The room index holds visibility in memory: it reads it again before its next search.
  roomIndexOf(db)?.invalidateVisibility();
}
