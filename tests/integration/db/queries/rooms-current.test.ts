/**
 * rooms_current (migration 0008) is maintained by insertProbeResults: each
 * successful listing upserts its rooms and tombstones the rooms its server
 * listed before but not now. These tests drive it through insertProbeResults
 * and read it through searchRooms and the table itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { searchRooms } from '../../../../db/queries/rooms/search-rooms.ts';
import { queryRows } from '../../../../db/query-rows.ts';
import { openTestStore, register, result, room, snap } from './store.ts';

let db: Db;
let close: () => Promise<void>;
const now = new Date('2026-11-10T12:00:00Z');

before(async () => ({ db, close } = await openTestStore()));
after(() => close());

/** Directory rows of one server: `room_id` → members. */
const listed = async (server: string) => Object.fromEntries(
  (await searchRooms(db, { now, server, limit: 100 })).rows.map((r) => [r.room_id, r.members]),
);
/** Rows of rooms_current for a room, newest first, without FINAL: what was written. */
const written = (roomId: string) => queryRows<{ server: string; is_deleted: number }>(db,
  'SELECT server, is_deleted FROM rooms_current WHERE room_id = {id:String} ORDER BY version DESC, is_deleted DESC', { id: roomId });

describe('rooms_current maintenance', () => {
  it('tombstones a room that vanished from its server\'s listing, and keeps the last good listing when a probe fails', async () => {
    const a1 = snap('va.test', 'matrix', '2026-11-01T10:00:00Z');
    const a2 = snap('va.test', 'matrix', '2026-11-02T10:00:00Z');
    const a3 = snap('va.test', 'matrix', '2026-11-03T10:00:00Z', { status: 'unreachable', tls: null });
    await insertProbeResults(db, [result(a1, [room(a1, 'keep', { members: 5 }), room(a1, 'drop', { members: 9 })])]);
    assert.deepEqual(await listed('va.test'), { '!keep:va.test': 5, '!drop:va.test': 9 });
    await insertProbeResults(db, [result(a2, [room(a2, 'keep', { members: 6 })])]);
    assert.deepEqual(await listed('va.test'), { '!keep:va.test': 6 });
    assert.deepEqual((await written('!drop:va.test'))[0], { server: 'va.test', is_deleted: 1 });
    await insertProbeResults(db, [result(a3)]);
    assert.deepEqual(await listed('va.test'), { '!keep:va.test': 6 }, 'a failed probe is no listing');
  });

  it('tombstones every room when a successful probe lists none', async () => {
    const e1 = snap('empty.test', 'xmpp', '2026-11-01T10:00:00Z');
    const e2 = snap('empty.test', 'xmpp', '2026-11-02T10:00:00Z');
    await insertProbeResults(db, [result(e1, [room(e1, 'a'), room(e1, 'b')])]);
    assert.equal(Object.keys(await listed('empty.test')).length, 2);
    await insertProbeResults(db, [result(e2)]);
    assert.deepEqual(await listed('empty.test'), {});
  });

  it('keeps a room that moved to another server, in separate batches and in one batch', async () => {
    // mv-a lists the room; mv-b lists it later; mv-a's next listing lacks it: it stays, under mv-b.
    const a1 = snap('mv-a.test', 'matrix', '2026-11-01T10:00:00Z');
    const b1 = snap('mv-b.test', 'matrix', '2026-11-02T10:00:00Z');
    const a2 = snap('mv-a.test', 'matrix', '2026-11-03T10:00:00Z');
    const moving = (s: typeof a1) => room(s, 'x', { roomId: '!moving:mv-a.test', name: 'Moving', members: 3 });
    await insertProbeResults(db, [result(a1, [moving(a1)])]);
    await insertProbeResults(db, [result(b1, [moving(b1)])]);
    await insertProbeResults(db, [result(a2, [room(a2, 'other')])]);
    assert.deepEqual(await listed('mv-b.test'), { '!moving:mv-a.test': 3 });
    assert.deepEqual(await listed('mv-a.test'), { '!other:mv-a.test': 10 });

    // One batch: mv-c drops the room and mv-d lists it, mv-c's listing being the later one.
    const c1 = snap('mv-c.test', 'matrix', '2026-11-01T10:00:00Z');
    const d2 = snap('mv-d.test', 'matrix', '2026-11-02T10:00:00Z');
    const c2 = snap('mv-c.test', 'matrix', '2026-11-02T11:00:00Z');
    const hop = (s: typeof c1) => room(s, 'x', { roomId: '!hop:mv-c.test', name: 'Hop', members: 4 });
    await insertProbeResults(db, [result(c1, [hop(c1)])]);
    await insertProbeResults(db, [result(d2, [hop(d2)]), result(c2)]);
    assert.deepEqual(await listed('mv-d.test'), { '!hop:mv-c.test': 4 });
    assert.deepEqual((await searchRooms(db, { now, q: 'hop' })).rows.map((r) => r.server), ['mv-d.test']);
  });

  it('folds two listings of one server in one batch: the later one decides', async () => {
    const s1 = snap('two.test', 'matrix', '2026-11-01T10:00:00Z');
    const s2 = snap('two.test', 'matrix', '2026-11-02T10:00:00Z');
    await insertProbeResults(db, [result(s2, [room(s2, 'late', { members: 2 })]), result(s1, [room(s1, 'early', { members: 1 }), room(s1, 'late', { members: 1 })])]);
    assert.deepEqual(await listed('two.test'), { '!late:two.test': 2 });
  });

  it('a replayed batch changes nothing: within the dedup window (same token) or beyond it (new token)', async () => {
    const r1 = snap('replay.test', 'matrix', '2026-11-01T10:00:00Z');
    const r2 = snap('replay.test', 'matrix', '2026-11-02T10:00:00Z');
    const first = [result(r1, [room(r1, 'one', { members: 1 }), room(r1, 'two', { members: 2 })])];
    const second = [result(r2, [room(r2, 'one', { members: 10 })])];
    await insertProbeResults(db, first, { dedupToken: 'replay-1' });
    await insertProbeResults(db, second, { dedupToken: 'replay-2' });
    const expected = { '!one:replay.test': 10 };
    assert.deepEqual(await listed('replay.test'), expected);
    const rows = (await queryRows<{ n: number }>(db, "SELECT count() AS n FROM rooms_current WHERE server = 'replay.test'", {}))[0]!.n;
    // Same tokens (a journal replay after a crash before pass_progress): dropped, not a row more.
    await insertProbeResults(db, first, { dedupToken: 'replay-1' });
    await insertProbeResults(db, second, { dedupToken: 'replay-2' });
    assert.equal((await queryRows<{ n: number }>(db, "SELECT count() AS n FROM rooms_current WHERE server = 'replay.test'", {}))[0]!.n, rows);
    assert.deepEqual(await listed('replay.test'), expected);
    // New tokens (beyond the window), latest first then the older batch: the directory is the same.
    await insertProbeResults(db, second, { dedupToken: 'replay-2b' });
    assert.deepEqual(await listed('replay.test'), expected);
    await insertProbeResults(db, first, { dedupToken: 'replay-1b' });
    assert.deepEqual(await listed('replay.test'), expected, 'an older listing replayed late brings no room back');
  });

  it('never shows hidden rooms or opted-out servers, which change without a listing', async () => {
    const h1 = snap('hid.test', 'matrix', '2026-11-01T10:00:00Z');
    await insertProbeResults(db, [result(h1, [room(h1, 'open'), room(h1, 'private')])]);
    assert.deepEqual(Object.keys(await listed('hid.test')).sort(), ['!open:hid.test', '!private:hid.test']);
    await register(db, { domain: 'hid.test', state: 'verified', hidden_rooms: ['!private:hid.test'] });
    assert.deepEqual(Object.keys(await listed('hid.test')), ['!open:hid.test']);
    await register(db, { domain: 'hid.test', state: 'verified', hidden: true, updated_at: '2026-11-02T00:00:00Z' });
    assert.deepEqual(await listed('hid.test'), {});
  });

  it('counts every match in total, on any page, past the last one too', async () => {
    const s = snap('many.test', 'xmpp', '2026-11-05T10:00:00Z');
    await insertProbeResults(db, [result(s, Array.from({ length: 7 }, (_, i) => room(s, `manyroom${i}`, { members: 100 + i })))]);
    for (const sort of ['members', 'name', 'growth'] as const) {
      const pages = await Promise.all([1, 2, 3, 9].map((page) => searchRooms(db, { now, q: 'manyroom', sort, limit: 3, page })));
      assert.deepEqual(pages.map((p) => [p.rows.length, p.total, p.pages]), [[3, 7, 3], [3, 7, 3], [1, 7, 3], [0, 7, 3]], sort);
      assert.equal(new Set(pages.flatMap((p) => p.rows.map((r) => r.room_id))).size, 7);
    }
    assert.deepEqual((await searchRooms(db, { now, q: 'nosuchroomanywhere' })).total, 0);
  });

  it('keeps each room\'s daily series, so growth from it equals growth from the daily table', async () => {
    const days = ['2026-11-04', '2026-11-06', '2026-11-08', '2026-11-09'];
    const sizes = { g1: [10, 12, 15, 20], g2: [50, 40, 45, 44] };
    for (const [i, day] of days.entries()) {
      const s = snap('grow.test', 'matrix', `${day}T10:00:00Z`);
      await insertProbeResults(db, [result(s, Object.entries(sizes).map(([id, m]) => room(s, id, { members: m[i] })))]);
    }
    for (const growthDays of [3, 5, 30]) {
      // growthDays above 30 is answered from the daily table; the window start (Nov 5, Nov 7) cuts the series.
      const fromSeries = await searchRooms(db, { now, server: 'grow.test', sort: 'growth', growthDays });
      const legacy = await searchRooms(db, { now: new Date(now.getTime() + (31 - growthDays) * 86_400_000), server: 'grow.test', sort: 'growth', growthDays: 31 });
      assert.deepEqual(fromSeries.rows.map((r) => [r.room_id, r.growth]), legacy.rows.map((r) => [r.room_id, r.growth]), `growthDays ${growthDays}`);
    }
    const g = await searchRooms(db, { now, server: 'grow.test', sort: 'growth', growthDays: 5 });
    assert.deepEqual(g.rows.map((r) => [r.room_id, r.growth]), [['!g1:grow.test', 8], ['!g2:grow.test', 4]]);
    const byMembers = await searchRooms(db, { now, server: 'grow.test', growthDays: 30 });
    assert.deepEqual(byMembers.rows.map((r) => [r.room_id, r.growth]), [['!g2:grow.test', -6], ['!g1:grow.test', 10]]);
  });
});
