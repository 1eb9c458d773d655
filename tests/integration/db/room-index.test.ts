/**
 * The room index against a real embedded store (issue 14): built from
 * rooms_current, kept in step with insertProbeResults in this process and
 * through rooms_current.inserted_at for another process's index, and never
 * showing opted-out servers or hidden rooms. Also: languages detected at
 * write time reach the store and the language filter.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../db/client.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { insertOptOut } from '../../../db/queries/registrations/insert-opt-out.ts';
import { searchRooms } from '../../../db/queries/rooms/search-rooms.ts';
import { openRoomIndex } from '../../../db/room-index/open-room-index.ts';
import { installRoomIndex, roomIndexOf, uninstallRoomIndex } from '../../../db/room-index/room-index-slot.ts';
import { searchDirectory } from '../../../db/room-index/search-directory.ts';
import { queryRows } from '../../../db/query-rows.ts';
import { listRoomsWrittenSince } from '../../../db/queries/rooms/list-rooms-current.ts';
import { openTestStore, register, result, room, snap } from './queries/store.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let db: Db;
let close: () => Promise<void>;

before(async () => ({ db, close } = await openTestStore()));
after(async () => {
  await uninstallRoomIndex(db);
  await close();
});

const found = async (q: string, more: Parameters<typeof searchDirectory>[1] = {}) =>
  (await searchDirectory(db, { q, limit: 50, ...more })).rows.map((r) => r.room_id);

describe('room index on the store', () => {
  it('ranks, follows new listings and tombstones, and hides opted-out servers and hidden rooms', async () => {
    const a1 = snap('rank.test', 'matrix', '2026-12-01T10:00:00Z');
    const b1 = snap('big.test', 'matrix', '2026-12-01T10:00:00Z');
    await insertProbeResults(db, [
      result(a1, [room(a1, 'rust-community', { name: 'Rust Community', members: 28 }), room(a1, 'gone', { name: 'Rust gone', members: 3 })]),
      result(b1, [room(b1, 'programming', { name: 'Programming', topic: 'all about rust, a community for everyone', members: 18_644 })]),
    ]);
    // The first search opens the index (as under astro dev or in tests: chatlas serve opens it at start).
    assert.deepEqual(await found('rust community'), ['!rust-community:rank.test', '!programming:big.test']);
    assert.ok(roomIndexOf(db), 'the index is installed for this store');

    // The next listing of rank.test drops a room: its tombstone reaches the index with the write.
    const a2 = snap('rank.test', 'matrix', '2026-12-02T10:00:00Z');
    await insertProbeResults(db, [result(a2, [room(a2, 'rust-community', { name: 'Rust Community', members: 30 })])]);
    assert.deepEqual(await found('rust'), ['!rust-community:rank.test', '!programming:big.test']);
    assert.deepEqual(await found('gone'), []);

    // An opt-out recorded in this process: the next search already leaves the server out.
    await insertOptOut(db, { domain: 'big.test', source: 'dns-txt', active: true, observedAt: new Date('2026-12-02T11:00:00Z') });
    assert.deepEqual(await found('rust community'), ['!rust-community:rank.test']);
    assert.deepEqual(await found('!programming:big.test'), [], 'not even by its exact id');
    await insertOptOut(db, { domain: 'big.test', source: 'dns-txt', active: false, observedAt: new Date('2026-12-02T12:00:00Z') });
    assert.deepEqual(await found('programming'), ['!programming:big.test']);

    // A room hidden by its server's verified admin, written by another process: seen at the next refresh.
    await register(db, { domain: 'rank.test', state: 'verified', hidden_rooms: ['!rust-community:rank.test'] });
    await roomIndexOf(db)!.refresh();
    assert.deepEqual(await found('rust community'), ['!programming:big.test']);
    // The store query (browsing without words) applies the same rule.
    assert.deepEqual((await searchRooms(db, { server: 'rank.test' })).rows, []);
  });

  it('a second process\'s index sees writes through inserted_at, and builds the same from the store', async () => {
    const other = openRoomIndex(db, { pollMs: 0 });
    await other.ready;
    const c1 = snap('late.test', 'xmpp', '2026-12-03T10:00:00Z');
    await insertProbeResults(db, [result(c1, [room(c1, 'zebra', { name: 'Zebra crossing', members: 4 })])]);
    assert.equal(other.index.search({ q: 'zebra' }).total, 0, 'not written by this index\'s process: not seen yet');
    await other.refresh();
    assert.deepEqual(other.index.search({ q: 'zebra' }).rows.map((r) => r.room_id), ['zebra@conference.late.test']);
    // The poll reads only what was written since: the rows of that one write, not the table.
    const newest = (await queryRows<{ newest: number }>(db, 'SELECT toUnixTimestamp64Milli(max(inserted_at)) AS newest FROM rooms_current'))[0]!.newest;
    assert.deepEqual((await listRoomsWrittenSince(db, newest - 1)).map((r) => r.room_id), ['zebra@conference.late.test']);
    // Built from the store now, an index answers what the running one answers.
    const fresh = openRoomIndex(db, { pollMs: 0, pageSize: 2 });
    await fresh.ready;
    for (const q of ['rust', 'programming', 'zebra', 'gone']) {
      assert.deepEqual(fresh.index.search({ q }).rows.map((r) => r.room_id), await found(q), q);
    }
    await other.stop();
    await fresh.stop();
  });

  it('stores a detected language for Matrix rooms (a declared one wins) and filters on it', async () => {
    const d1 = snap('lang.test', 'matrix', '2026-12-04T10:00:00Z');
    const x1 = snap('lang-x.test', 'xmpp', '2026-12-04T10:00:00Z');
    await insertProbeResults(db, [
      result(d1, [
        room(d1, 'stammtisch', { name: 'Stammtisch', topic: 'Willkommen in diesem Raum, hier können alle ihre Fragen stellen', language: '' }),
        room(d1, 'short', { name: 'Kurz', topic: '', language: '' }),
      ]),
      result(x1, [room(x1, 'salon', { name: 'Salon', topic: 'Willkommen in diesem Raum, hier können alle ihre Fragen stellen', language: 'FR' })]),
    ]);
    const stored = await queryRows<{ room_id: string; language: string; language_confidence: number }>(db,
      `SELECT room_id, language, round(language_confidence, 3) AS language_confidence FROM rooms_current FINAL
       WHERE server IN ('lang.test', 'lang-x.test') ORDER BY room_id`);
    assert.deepEqual(stored.map((r) => [r.room_id, r.language, r.language_confidence > 0 && r.language_confidence < 1 ? 'detected' : r.language_confidence]), [
      ['!short:lang.test', '', 0],
      ['!stammtisch:lang.test', 'de', 'detected'],
      ['salon@conference.lang-x.test', 'fr', 1],
    ]);
    const snapshots = await queryRows<{ language: string }>(db, "SELECT language FROM room_snapshots WHERE room_id = '!stammtisch:lang.test'");
    assert.deepEqual(snapshots, [{ language: 'de' }]);
    assert.deepEqual(await found('stammtisch', { language: 'de' }), ['!stammtisch:lang.test']);
    assert.deepEqual((await searchRooms(db, { language: 'de', protocol: 'matrix' })).rows.map((r) => r.room_id), ['!stammtisch:lang.test']);
  });

  it('a restart loads the snapshot and catches up with what was written while it was down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatlas-room-snapshot-'));
    const path = join(dir, 'room-index.snapshot');
    try {
      const first = openRoomIndex(db, { pollMs: 0, snapshotPath: path });
      await first.ready;
      assert.equal(first.source, 'store');
      await first.save();
      await first.stop();
      // Written while no index runs: a new room, and a tombstone for one the snapshot holds.
      const s1 = snap('down.test', 'matrix', '2026-12-05T10:00:00Z');
      await insertProbeResults(db, [result(s1, [room(s1, 'whilst', { name: 'Whilst down' }), room(s1, 'brief', { name: 'Brief room' })])]);
      const s2 = snap('down.test', 'matrix', '2026-12-05T11:00:00Z');
      await insertProbeResults(db, [result(s2, [room(s2, 'whilst', { name: 'Whilst down' })])]);
      const second = openRoomIndex(db, { pollMs: 0, snapshotPath: path });
      await second.ready;
      assert.equal(second.source, 'snapshot');
      for (const q of ['rust', 'programming', 'zebra', 'whilst', 'brief', 'stammtisch']) {
        assert.deepEqual(second.index.search({ q }).rows.map((r) => r.room_id), await found(q), q);
      }
      assert.deepEqual(second.index.search({ q: 'whilst' }).rows.map((r) => r.room_id), ['!whilst:down.test']);
      await second.stop();
      // A torn or foreign file is not loaded: the index is built from the store instead.
      writeFileSync(path, 'not a snapshot');
      const third = openRoomIndex(db, { pollMs: 0, snapshotPath: path });
      await third.ready;
      assert.equal(third.source, 'store');
      assert.deepEqual(third.index.search({ q: 'whilst' }).rows.map((r) => r.room_id), ['!whilst:down.test']);
      await third.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('while an installed index is still building, the store query answers (search never waits minutes on a restart)', async () => {
    const building = openRoomIndex(db, { pollMs: 0 });
    installRoomIndex(db, building);
    // The build has not read a page yet: the store query answers, with its substring matching ("ebra" in "Zebra").
    assert.deepEqual(await found('ebra'), ['zebra@conference.late.test']);
    await building.ready;
    // Built: the index answers, by words ("ebra" begins no word).
    assert.deepEqual(await found('ebra'), []);
    assert.deepEqual(await found('zebr'), ['zebra@conference.late.test']);
  });
});
