/**
 * Local-only rooms (RoomSnapshot.federates, migration 0012) through a real
 * chdb store: stored in room_snapshots and rooms_current, read back by the
 * directory's search, and offered without a join link by the directory page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { searchRooms } from '../../../../db/queries/rooms/search-rooms.ts';
import { loadRooms } from '../../../../site/lib/pages/load-rooms.ts';
import { insert, openTestStore, result, room, snap } from './store.ts';

let db: Db;
let close: () => Promise<void>;
const now = new Date('2026-11-03T12:00:00Z');

before(async () => {
  ({ db, close } = await openTestStore());
  const s = snap('f.test', 'matrix', '2026-11-03T10:00:00Z');
  await insert(db, [result(s, [
    room(s, 'staff', { name: 'Staff only', federates: false, members: 30 }),
    room(s, 'open', { name: 'Open to all', federates: true, members: 20 }),
    // Absent: a crawler that did not read the federation directory (or a row from before 0012).
    room(s, 'plain', { name: 'Not known', members: 10 }),
  ])]);
});
after(() => close());

test('federates is stored as the crawler said: false, true, or NULL when not known', async () => {
  for (const table of ['room_snapshots', 'rooms_current FINAL']) {
    const rs = await db.client.query({ query: `SELECT name, federates FROM ${table} ORDER BY name`, format: 'JSONEachRow' });
    assert.deepEqual(await rs.json(), [
      { name: 'Not known', federates: null }, { name: 'Open to all', federates: true }, { name: 'Staff only', federates: false },
    ], table);
  }
});

test('the directory lists a local-only room but offers no join link for it', async () => {
  const page = await searchRooms(db, { now });
  assert.deepEqual(page.rows.map((r) => [r.name, r.federates]), [['Staff only', false], ['Open to all', true], ['Not known', null]]);
  const view = await loadRooms(db, new URL('http://chatlas.test/rooms'), now);
  assert.equal(view.kind, 'ok');
  if (view.kind !== 'ok') return;
  assert.deepEqual(view.view.rooms.map((r) => [r.name, r.join]), [
    ['Staff only', null],
    ['Open to all', 'https://matrix.to/#/%23open:f.test'],
    ['Not known', 'https://matrix.to/#/%23plain:f.test'],
  ]);
});
