/**
 * compactRoomsCurrent on the real engine: several passes leave several versions of every
 * room in rooms_current; compacting leaves one row per room, and the directory answers
 * exactly as before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { syntheticNetwork } from '../../harness/synthetic.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { compactRoomsCurrent } from '../../../db/queries/rooms/compact-rooms-current.ts';
import { searchRooms } from '../../../db/queries/rooms/search-rooms.ts';

let store: TestStore;
before(async () => {
  store = await openTestStore();
  for (const day of syntheticNetwork({ servers: 120, days: 4, end: new Date(Date.UTC(2026, 10, 20)), seed: 11 })) await insertProbeResults(store.db, day);
});
after(async () => { await store?.cleanup(); });

const stored = async (): Promise<{ parts: number; rows: number }> => {
  const [r] = await rows<{ parts: string; rows: string }>(store.db, `SELECT count() AS parts, sum(rows) AS rows FROM system.parts WHERE active AND database = currentDatabase() AND table = 'rooms_current'`);
  return { parts: Number(r?.parts), rows: Number(r?.rows) };
};

test('compacting rooms_current leaves one row per room and the same directory', async () => {
  const [{ rooms }] = await rows<{ rooms: string }>(store.db, 'SELECT count() AS rooms FROM (SELECT DISTINCT protocol, room_id FROM rooms_current)') as [{ rooms: string }];
  const before = await stored();
  assert.ok(before.rows > Number(rooms), `expected several versions per room before (${before.rows} rows, ${rooms} rooms)`);
  const query = { sort: 'members', limit: 200, now: new Date(Date.UTC(2026, 10, 20)) } as const;
  const pageBefore = await searchRooms(store.db, query);
  assert.ok(pageBefore.total > 0);
  await compactRoomsCurrent(store.db);
  const afterCompact = await stored();
  assert.equal(afterCompact.parts, 1);
  assert.equal(afterCompact.rows, Number(rooms));
  assert.deepEqual(await searchRooms(store.db, query), pageBefore);
});
