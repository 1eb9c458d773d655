import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { searchRooms } from '../../../../db/queries/rooms/search-rooms.ts';
import { insert, openTestStore, register, result, room, snap } from './store.ts';

let db: Db;
let close: () => Promise<void>;
const now = new Date('2026-11-03T12:00:00Z');

before(async () => {
  ({ db, close } = await openTestStore());
  // Day 1: m.test lists three rooms; one of them vanishes on day 2.
  const m1 = snap('m.test', 'matrix', '2026-11-01T10:00:00Z');
  const m2 = snap('m.test', 'matrix', '2026-11-02T10:00:00Z');
  // x.test listed on day 2, then went down on day 3: its last good listing stays in the directory.
  const x2 = snap('x.test', 'xmpp', '2026-11-02T10:00:00Z');
  const x3 = snap('x.test', 'xmpp', '2026-11-03T10:00:00Z', { status: 'unreachable', tls: null });
  const h = snap('h.test', 'matrix', '2026-11-02T10:00:00Z');
  const s = snap('s.test', 'matrix', '2026-11-02T10:00:00Z');
  await insert(db, [
    result(m1, [
      room(m1, 'linux', { name: 'Linux Users', topic: 'All about the kernel', members: 100, language: 'en' }),
      room(m1, 'gone', { name: 'Gone Room', members: 999 }),
      room(m1, 'rust', { name: 'Rust', members: 50 }),
      room(m1, 'renamed', { name: 'Oldname Chat', members: 2 }),
    ]),
    result(m2, [
      room(m2, 'linux', { name: 'Linux Users', topic: 'All about the kernel', members: 120, language: 'en' }),
      room(m2, 'rust', { name: 'Rust', topic: '100% safe', members: 40 }),
      room(m2, 'space', { name: 'Linux Space', members: 5, roomType: 'space' }),
      room(m2, 'renamed', { name: 'Newname Chat', members: 1 }),
    ]),
    result(x2, [room(x2, 'linux-fr', { name: 'Linux FR', topic: 'Le noyau', members: 30, language: 'fr' })]),
    result(x3),
    result(h, [room(h, 'visible', { name: 'Visible', members: 7 }), room(h, 'secret', { name: 'Secret', members: 8 })]),
    result(s, [room(s, 'xss', { name: '<script>alert(1)</script>', members: 3 })]),
  ]);
  // h.test's verified admin hides one of its rooms; m.test's admin cannot hide a room of h.test.
  await register(db, { domain: 'h.test', state: 'verified', hidden_rooms: ['!secret:h.test'] });
  await register(db, { domain: 'm.test', state: 'verified', hidden_rooms: ['!visible:h.test'] });
});
after(() => close());

const names = async (p: Parameters<typeof searchRooms>[1]) => (await searchRooms(db, { now, ...p })).rows.map((r) => r.name);

describe('searchRooms', () => {
  it('lists current rooms by members; a room that vanished from its listing is gone', async () => {
    const page = await searchRooms(db, { now });
    assert.deepEqual(page.rows.map((r) => [r.name, r.members]), [
      ['Linux Users', 120], ['Rust', 40], ['Linux FR', 30], ['Visible', 7], ['Linux Space', 5], ['<script>alert(1)</script>', 3], ['Newname Chat', 1],
    ]);
    assert.equal(page.total, 7);
  });

  it('never shows a hidden room, and only the server\'s own admin can hide it', async () => {
    const all = await names({});
    assert.ok(!all.includes('Secret'));
    assert.ok(all.includes('Visible'));
  });

  it('matches every word in name, topic or address, case-insensitively', async () => {
    assert.deepEqual(await names({ q: 'LINUX' }), ['Linux Users', 'Linux FR', 'Linux Space']);
    assert.deepEqual(await names({ q: 'linux kernel' }), ['Linux Users']);
    assert.deepEqual(await names({ q: 'noyau' }), ['Linux FR']);
    assert.deepEqual(await names({ q: '#rust:m.test' }), ['Rust']);
    assert.deepEqual(await names({ q: 'gone' }), []);
  });

  it('never matches a stale version of a room (filters run before FINAL, the pass check keeps them out)', async () => {
    assert.deepEqual(await names({ q: 'oldname' }), []);
    assert.deepEqual(await names({ q: 'newname' }), ['Newname Chat']);
    assert.deepEqual(await names({ q: 'chat', minMembers: 2, server: 'm.test' }), [], 'the old size must not match either');
  });

  it('treats LIKE wildcards in the search as text', async () => {
    assert.deepEqual(await names({ q: '100%' }), ['Rust']);
    assert.deepEqual(await names({ q: '%' }), ['Rust']);
    assert.deepEqual(await names({ q: '_' }), []);
  });

  it('returns crawled text verbatim (escaping is the renderer\'s job)', async () => {
    assert.deepEqual(await names({ q: '<script>' }), ['<script>alert(1)</script>']);
  });

  it('filters by protocol, language, size, server and kind', async () => {
    assert.deepEqual(await names({ protocol: 'xmpp' }), ['Linux FR']);
    assert.deepEqual(await names({ language: 'fr' }), ['Linux FR']);
    assert.deepEqual(await names({ minMembers: 30, maxMembers: 40 }), ['Rust', 'Linux FR']);
    assert.deepEqual(await names({ server: 'm.test', type: 'space' }), ['Linux Space']);
    assert.deepEqual(await names({ server: 'm.test', type: 'room' }), ['Linux Users', 'Rust', 'Newname Chat']);
  });

  it('sorts by growth over the window and by name', async () => {
    const page = await searchRooms(db, { now, sort: 'growth', server: 'm.test' });
    assert.deepEqual(page.rows.map((r) => [r.name, r.growth]), [['Linux Users', 20], ['Linux Space', 0], ['Newname Chat', -1], ['Rust', -10]]);
    assert.deepEqual(await names({ sort: 'name', protocol: 'matrix' }), ['<script>alert(1)</script>', 'Linux Space', 'Linux Users', 'Newname Chat', 'Rust', 'Visible']);
  });

  it('shows growth on pages sorted by members too', async () => {
    const page = await searchRooms(db, { now, server: 'm.test' });
    assert.deepEqual(page.rows.map((r) => r.growth), [20, -10, 0, -1]);
  });

  it('pages', async () => {
    const p2 = await searchRooms(db, { now, limit: 4, page: 2 });
    assert.deepEqual(p2.rows.map((r) => r.name), ['Linux Space', '<script>alert(1)</script>', 'Newname Chat']);
    assert.deepEqual([p2.total, p2.page, p2.pages], [7, 2, 2]);
  });

  it('hides every room of a server whose admin hid the server', async () => {
    await register(db, { domain: 's.test', state: 'verified', hidden: true });
    assert.deepEqual(await names({ q: 'script' }), []);
  });
});
