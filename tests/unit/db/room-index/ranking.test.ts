/**
 * The directory's ranking (db/room-index/rank.ts) on a fixed set of rooms
 * and queries with their expected top results (issue 14): the same ranking
 * answers the site, the API and the federation directory.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoomIndex, type IndexRow } from '../../../../db/room-index/room-index.ts';
import { row } from './index-row.ts';

const ROOMS: IndexRow[] = [
  row({ room_id: '!rc:example.org', address: '#rust-community:example.org', name: 'Rust Community', topic: 'A friendly place for Rustaceans', members: 28 }),
  row({ room_id: '!prog:big.org', address: '#programming:big.org', name: 'Programming', members: 18_644,
    topic: 'Talk about any language: rust, go, python. A community for everyone' }),
  row({ room_id: '!rust:matrix.org', address: '#rust:matrix.org', name: 'Rust', topic: 'The Rust programming language community', members: 5000 }),
  row({ room_id: '!offtopic:matrix.org', address: '#rust-offtopic:matrix.org', name: 'Rust Offtopic', topic: 'Anything goes', members: 900 }),
  row({ room_id: '!cafe:fr.example', address: '#cafe:fr.example', name: 'Café Français', topic: 'Discussions en français', members: 120, language: 'fr' }),
  row({ room_id: '!lu:example.org', address: '#linux-users:example.org', name: 'Linux Users', topic: 'Help and news', members: 3000 }),
  row({ room_id: '!lx:example.org', address: '#linux:example.org', name: 'Linux', topic: '', members: 50 }),
  row({ room_id: '!news:example.org', address: '#news:example.org', name: 'World News', topic: 'Linux is mentioned here too', members: 40_000 }),
  row({ room_id: '!strasse:de.example', address: '#strasse:de.example', name: 'Straßenbahn Fans', topic: 'Über Straßenbahnen', members: 70, language: 'de' }),
  row({ room_id: 'rust@conference.jabber.example', protocol: 'xmpp', server: 'jabber.example', address: 'rust@conference.jabber.example', name: 'Rust (XMPP)', topic: 'Rust on XMPP', members: 60 }),
  row({ room_id: '!space:matrix.org', address: '#rust-space:matrix.org', name: 'Rust Space', topic: '', members: 400, room_type: 'space' }),
];

/** Query → the room ids expected first, in order. */
const EXPECTED: [string, string[]][] = [
  // The room named after the words beats a far bigger room that mentions both in its topic.
  ['rust community', ['!rc:example.org', '!rust:matrix.org', '!prog:big.org']],
  // The exact alias first, whatever else matches its words.
  ['#rust:matrix.org', ['!rust:matrix.org']],
  ['rust:matrix.org', ['!rust:matrix.org']],
  // A room id pasted whole.
  ['!prog:big.org', ['!prog:big.org']],
  // A name match beats a topic match even with 13 times fewer members; members order the name matches.
  ['linux', ['!lx:example.org', '!lu:example.org', '!news:example.org']],
  // Prefix on the last word typed, whole words before it.
  ['rust comm', ['!rc:example.org']],
  ['rustac', ['!rc:example.org']],
  // Diacritics and case folded, both ways; ß read as ss.
  ['CAFE', ['!cafe:fr.example']],
  ['café français', ['!cafe:fr.example']],
  ['strassenbahn', ['!strasse:de.example']],
  ['STRAßE', ['!strasse:de.example']],
];

describe('room search ranking (issue 14)', () => {
  const index = new RoomIndex();
  index.apply(ROOMS);
  for (const [q, expected] of EXPECTED) {
    it(`"${q}" ranks ${expected.join(', ')} first`, () => {
      const got = index.search({ q, limit: 10 }).rows.map((r) => r.room_id);
      assert.deepEqual(got.slice(0, expected.length), expected, `got ${got.join(', ')}`);
    });
  }

  it('finds nothing for a word no room has, and requires every word', () => {
    assert.equal(index.search({ q: 'zzqx' }).total, 0);
    assert.equal(index.search({ q: 'rust zzqx' }).total, 0);
  });

  it('a trailing space makes the last word whole: "rust " does not match "rustaceans" alone', () => {
    assert.ok(index.search({ q: 'rustac' }).total > 0);
    assert.equal(index.search({ q: 'rustac ' }).total, 0);
  });

  it('applies the filters of the store query: protocol, kind, language, server, members', () => {
    const ids = (p: Parameters<RoomIndex['search']>[0]) => index.search({ limit: 50, ...p }).rows.map((r) => r.room_id).sort();
    assert.deepEqual(ids({ q: 'rust', protocol: 'xmpp' }), ['rust@conference.jabber.example']);
    assert.deepEqual(ids({ q: 'rust', type: 'space' }), ['!space:matrix.org']);
    assert.ok(!ids({ q: 'rust', type: 'room' }).includes('!space:matrix.org'));
    assert.deepEqual(ids({ q: 'cafe', language: 'fr' }), ['!cafe:fr.example']);
    assert.deepEqual(ids({ q: 'cafe', language: 'de' }), []);
    assert.deepEqual(ids({ q: 'rust', server: 'matrix.org', minMembers: 500, maxMembers: 1000 }), ['!offtopic:matrix.org']);
  });

  it('sorts by members, name or growth when asked, and pages with a total', () => {
    const byMembers = index.search({ q: 'rust', sort: 'members', limit: 2 });
    assert.deepEqual(byMembers.rows.map((r) => r.members), [18_644, 5000]);
    assert.equal(byMembers.total, 6);
    assert.equal(byMembers.pages, 3);
    const page3 = index.search({ q: 'rust', sort: 'members', limit: 2, page: 3 });
    assert.deepEqual(page3.rows.map((r) => r.members), [60, 28]);
    assert.deepEqual(index.search({ q: 'rust', sort: 'name', limit: 3 }).rows.map((r) => r.name), ['Programming', 'Rust', 'Rust (XMPP)']);
  });
});
