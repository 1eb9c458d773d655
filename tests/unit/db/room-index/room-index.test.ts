/**
 * RoomIndex keeps what rooms_current says (migration 0008 semantics): the
 * newest version of a room wins, a tombstone removes it, replays change
 * nothing; and it never returns hidden servers' or hidden rooms' rooms.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoomIndex } from '../../../../db/room-index/room-index.ts';
import { row } from './index-row.ts';

const ids = (index: RoomIndex, q: string, more: Parameters<RoomIndex['search']>[0] = {}) =>
  index.search({ q, limit: 100, ...more }).rows.map((r) => r.room_id).sort();

describe('RoomIndex upkeep', () => {
  it('applies the newest version, ignores older ones, and removes a room on its tombstone', () => {
    const index = new RoomIndex();
    index.apply([row({ room_id: '!a:s.test', name: 'Old name', version: 10, members: 5 })]);
    index.apply([row({ room_id: '!a:s.test', name: 'New name', version: 20, members: 7 })]);
    index.apply([row({ room_id: '!a:s.test', name: 'Stale name', version: 15 })]);
    assert.deepEqual(ids(index, 'old'), []);
    assert.deepEqual(ids(index, 'stale'), []);
    assert.deepEqual(index.search({ q: 'new' }).rows.map((r) => [r.name, r.members]), [['New name', 7]]);
    index.apply([row({ room_id: '!a:s.test', is_deleted: 1, version: 30 })]);
    assert.deepEqual(ids(index, 'new'), []);
    assert.equal(index.size, 0);
    // An upsert older than the tombstone, applied after it (a replayed batch), does not bring it back,
    // as FINAL would not; a later listing (newer version) does.
    index.apply([row({ room_id: '!a:s.test', name: 'Replayed', version: 25 })]);
    assert.deepEqual(ids(index, 'replayed'), []);
    index.apply([row({ room_id: '!a:s.test', name: 'Back', version: 40 })]);
    assert.deepEqual(ids(index, 'back'), ['!a:s.test']);
  });

  it('replaying rows leaves the same index, and a size change keeps the slot (no dead words)', () => {
    const index = new RoomIndex();
    const rows = [row({ room_id: '!r:s.test', name: 'Replay', version: 5 }), row({ room_id: '!q:s.test', name: 'Replay two', version: 5 })];
    index.apply(rows);
    index.apply(rows);
    assert.equal(index.size, 2);
    assert.equal(index.search({ q: 'replay' }).total, 2);
    index.apply([row({ room_id: '!r:s.test', name: 'Replay', version: 6, members: 99, daily_members: [40] })]);
    const [r] = index.search({ q: 'replay', sort: 'members' }).rows;
    assert.deepEqual([r!.room_id, r!.members, r!.growth], ['!r:s.test', 99, 59]);
  });

  it('compacts away dead slots and answers the same afterwards', () => {
    const index = new RoomIndex();
    const n = 12_000;
    index.apply(Array.from({ length: n }, (_, i) => row({ room_id: `!c${i}:s.test`, name: `Room ${i} alpha`, version: 1, members: i })));
    // Renaming every room kills every slot: past a quarter dead, the index rebuilds itself.
    index.apply(Array.from({ length: n }, (_, i) => row({ room_id: `!c${i}:s.test`, name: `Room ${i} beta`, version: 2, members: i })));
    assert.equal(index.size, n);
    assert.equal(index.search({ q: 'alpha' }).total, 0);
    assert.equal(index.search({ q: 'beta' }).total, n);
    assert.deepEqual(index.search({ q: 'beta', limit: 1 }).rows.map((r) => r.room_id), [`!c${n - 1}:s.test`]);
    assert.deepEqual(ids(index, '!c7:s.test'), ['!c7:s.test']);
  });

  it('compacts in slices while rows keep arriving, and ends as a one-go compaction would', async () => {
    const rows = (names: string, version: number, n: number) =>
      Array.from({ length: n }, (_, i) => row({ room_id: `!k${i}:s.test`, name: `Room ${i} ${names}`, version, members: i }));
    const sliced = new RoomIndex();
    sliced.autoCompact = false;
    const whole = new RoomIndex();
    for (const index of [sliced, whole]) { index.apply(rows('alpha', 1, 12_000)); index.apply(rows('beta', 2, 12_000)); }
    assert.ok(sliced.needsCompaction);
    // Rows arriving between slices: a rename, a tombstone, a new room; given to both indexes.
    const during = [
      [row({ room_id: '!k5:s.test', name: 'Renamed gamma', version: 3 })],
      [row({ room_id: '!k6:s.test', is_deleted: 1, version: 3 })],
      [row({ room_id: '!fresh:s.test', name: 'Fresh gamma', version: 3 })],
    ];
    const queue: typeof during = [];
    let pauses = 0;
    await sliced.compactInSlices(async () => {
      const next = during[pauses++];
      if (next) { sliced.apply(next); queue.push(next); }
    }, queue, 3000);
    for (const next of during) whole.apply(next);
    assert.ok(pauses >= 3, 'rows arrived between slices');
    assert.equal(sliced.needsCompaction, false);
    for (const q of ['beta', 'gamma', 'alpha', '!k6:s.test', '!k5:s.test', 'room 11']) {
      assert.deepEqual(sliced.search({ q, limit: 50 }), whole.search({ q, limit: 50 }), q);
    }
  });

  it('never returns rooms of hidden servers or hidden rooms, and shows them again when lifted', () => {
    const index = new RoomIndex();
    index.apply([
      row({ room_id: '!x:hide.test', name: 'Secret garden' }),
      row({ room_id: '!y:keep.test', name: 'Open garden' }),
      row({ room_id: '!z:keep.test', name: 'Hidden garden' }),
    ]);
    index.setVisibility(['hide.test'], [{ server: 'keep.test', room_id: '!z:keep.test' }]);
    assert.deepEqual(ids(index, 'garden'), ['!y:keep.test']);
    assert.deepEqual(ids(index, '!x:hide.test'), [], 'not even by its exact id');
    // A room listed later by a hidden server is hidden from its first search.
    index.apply([row({ room_id: '!w:hide.test', name: 'Late garden' })]);
    assert.deepEqual(ids(index, 'garden'), ['!y:keep.test']);
    // Only the server's own admin hides a room: the same id under another server stays visible.
    index.setVisibility([], [{ server: 'other.test', room_id: '!y:keep.test' }]);
    assert.deepEqual(ids(index, 'garden'), ['!w:hide.test', '!x:hide.test', '!y:keep.test', '!z:keep.test']);
  });

  it('leaves local-only rooms out of the federation view only', () => {
    const index = new RoomIndex();
    index.apply([row({ room_id: '!l:s.test', name: 'Local lounge', federates: false }), row({ room_id: '!f:s.test', name: 'Fed lounge', federates: true })]);
    assert.deepEqual(ids(index, 'lounge'), ['!f:s.test', '!l:s.test']);
    assert.deepEqual(ids(index, 'lounge', { federatingOnly: true }), ['!f:s.test']);
    assert.deepEqual(index.search({ q: 'local' }).rows.map((r) => r.federates), [false]);
  });

  it('cuts Chinese and Japanese text into words', () => {
    const index = new RoomIndex();
    index.apply([row({ room_id: '!j:s.test', name: '日本語の部屋', topic: 'ようこそ' })]);
    assert.deepEqual(ids(index, '部屋'), ['!j:s.test']);
    assert.deepEqual(ids(index, 'ようこそ'), ['!j:s.test']);
  });
});

describe('RoomIndex state (snapshots)', () => {
  it('answers the same after exportState/importState, and keeps following rows', () => {
    const index = new RoomIndex();
    index.apply(Array.from({ length: 3000 }, (_, i) => row({
      room_id: `!s${i}:snap${i % 7}.test`, name: `Room ${i % 50} café`, topic: i % 3 ? 'a topic about gardens' : '', members: i,
      address: `#room${i}:snap${i % 7}.test`, language: i % 2 ? 'de' : '', federates: i % 5 === 0 ? false : null,
    })));
    index.apply([row({ room_id: '!s7:snap0.test', is_deleted: 1, version: 1e12 })]);
    index.setVisibility(['snap3.test'], [{ server: 'snap1.test', room_id: '!s1:snap1.test' }]);
    const copy = RoomIndex.importState(index.exportState());
    copy.setVisibility(['snap3.test'], [{ server: 'snap1.test', room_id: '!s1:snap1.test' }]);
    for (const q of ['cafe', 'room 4', 'gardens', '#room42:snap0.test', '!s99:snap1.test', 'ro', '']) {
      for (const more of [{}, { language: 'de' }, { federatingOnly: true }, { sort: 'name' as const }]) {
        assert.deepEqual(copy.search({ q, limit: 30, ...more }), index.search({ q, limit: 30, ...more }), `${q} ${JSON.stringify(more)}`);
      }
    }
    // The tombstone's memory came along: an older upsert does not revive the room.
    copy.apply([row({ room_id: '!s7:snap0.test', name: 'Revived', version: 5 })]);
    assert.equal(copy.search({ q: 'revived' }).total, 0);
    copy.apply([row({ room_id: '!new:snap0.test', name: 'Brand new café' })]);
    assert.deepEqual(copy.search({ q: 'brand' }).rows.map((r) => r.room_id), ['!new:snap0.test']);
  });
});
