/**
 * Room opt-out in the room parsers: the Matrix directory and hierarchy pages
 * and XMPP room info withhold a room whose topic or description carries a
 * marker. Inputs are the captured real replies (tests/fixtures) with one room
 * given the marker, so the shapes are the servers' own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProbeError } from '../../../../crawler/errors.ts';
import { federatesFrom, parseHierarchyPage, parsePublicRoomsPage, withoutOptedOutRooms } from '../../../../crawler/protocol/matrix-rooms.ts';
import { isListableRoom, parseRoomInfo } from '../../../../crawler/protocol/xep0045-muc.ts';
import { parseDiscoInfo } from '../../../../crawler/protocol/xep0030-disco.ts';
import { parseXmlDocument } from '../../../../crawler/protocol/restricted-xml.ts';
import type { XmlElement } from '../../../../crawler/protocol/xmpp-element.ts';
import { MRS_NOINDEX_MARKER } from '../../../../crawler/protocol/room-opt-out.ts';

const fixture = (path: string): string => readFileSync(new URL(`../../../fixtures/${path}`, import.meta.url), 'utf8');

/** The captured Synapse directory with its first room's topic given `topic`. */
function directoryWithTopic(topic: string): { text: string; optedId: string; names: string[] } {
  const doc = JSON.parse(fixture('matrix-public-rooms/synapse-1.163.2-all.input.json')) as { chunk: Record<string, unknown>[] };
  const first = doc.chunk[0]!;
  first['topic'] = topic;
  return { text: JSON.stringify(doc), optedId: String(first['room_id']), names: doc.chunk.map((r) => String(r['name'] ?? '')) };
}

test('publicRooms: a room whose topic ends with the MRS marker is withheld and only counted', () => {
  const { text, optedId } = directoryWithTopic(`Secret club ${MRS_NOINDEX_MARKER}`);
  const page = parsePublicRoomsPage(text);
  assert.ok(!(page instanceof ProbeError));
  const all = parsePublicRoomsPage(fixture('matrix-public-rooms/synapse-1.163.2-all.input.json'));
  assert.ok(!(all instanceof ProbeError));
  assert.equal(page.optedOut, 1);
  assert.equal(page.dropped, 0, 'an opted-out room is not a malformed one');
  assert.equal(page.rooms.length, all.rooms.length - 1);
  assert.ok(!page.rooms.some((r) => r.roomId === optedId));
  assert.equal(all.optedOut, 0);
});

test('the marker is found past the 2000 characters a topic is cut to for display', () => {
  const { text, optedId } = directoryWithTopic(`${'long topic '.repeat(400)}(chatlas-noindex)`);
  const page = parsePublicRoomsPage(text);
  assert.ok(!(page instanceof ProbeError));
  assert.equal(page.optedOut, 1);
  assert.ok(!page.rooms.some((r) => r.roomId === optedId));
});

test('withoutOptedOutRooms: the raw record keeps the other rooms, re-parseable, and nothing of the withheld one', () => {
  const { text, optedId } = directoryWithTopic(`Secret club ${MRS_NOINDEX_MARKER}`);
  const raw = withoutOptedOutRooms(text, 'chunk');
  assert.ok(!raw.includes(optedId) && !raw.includes('Secret club') && !raw.includes('MRS-'));
  const again = parsePublicRoomsPage(raw);
  assert.ok(!(again instanceof ProbeError));
  assert.deepEqual(again.rooms, (parsePublicRoomsPage(text) as Exclude<ReturnType<typeof parsePublicRoomsPage>, ProbeError>).rooms);
  assert.equal(withoutOptedOutRooms('not json', 'chunk'), '');
});

test('hierarchy: a child that opted out is neither returned nor kept among the space\'s children, nor in the raw record', () => {
  const doc = JSON.parse(fixture('matrix-hierarchy/synapse-1.163.2-space.input.json')) as { rooms: Record<string, unknown>[] };
  const child = doc.rooms[1]!;
  child['topic'] = `General chat ${MRS_NOINDEX_MARKER}`;
  const text = JSON.stringify(doc);
  const page = parseHierarchyPage(text);
  assert.ok(!(page instanceof ProbeError));
  assert.equal(page.optedOut, 1);
  assert.deepEqual(page.rooms.map((r) => r.name), ['Hub']);
  assert.deepEqual(page.rooms[0]!.children, []);
  assert.deepEqual(page.rooms[0]!.via, ['synapse.test'], 'the via server names stay: they are servers, not the room');
  const raw = withoutOptedOutRooms(text, 'rooms');
  assert.ok(!raw.includes(String(child['room_id'])) && !raw.includes('General chat'));
});

test('federatesFrom: local-only only when a complete federation listing leaves the room out', () => {
  assert.equal(federatesFrom('!a', null), null);
  assert.equal(federatesFrom('!a', { roomIds: new Set(['!a']), complete: false }), true);
  assert.equal(federatesFrom('!b', { roomIds: new Set(['!a']), complete: true }), false);
  assert.equal(federatesFrom('!b', { roomIds: new Set(['!a']), complete: false }), null, 'a listing cut short proves nothing');
});

/** The captured Prosody room info with its description (or subject) replaced. */
function prosodyRoom(field: 'muc#roominfo_description' | 'muc#roominfo_subject', value: string): XmlElement {
  let xml = fixture('xep0045-muc/prosody-0.12.3-room-public.input.xml');
  xml = field === 'muc#roominfo_description'
    ? xml.replace('<value>Public test room</value>', `<value>${value}</value>`)
    : xml.replace('</x>', `<field type='text-single' var='muc#roominfo_subject'><value>${value}</value></field></x>`);
  const iq = parseXmlDocument(xml);
  if (iq instanceof ProbeError) throw iq;
  return iq.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'query')!;
}

test('XMPP room info: the marker in the description or the subject keeps a public room out', () => {
  const plain = parseRoomInfo(parseDiscoInfo(prosodyRoom('muc#roominfo_description', 'Public test room')));
  assert.deepEqual([plain.optedOut, isListableRoom(plain)], [false, true]);
  for (const field of ['muc#roominfo_description', 'muc#roominfo_subject'] as const) {
    const room = parseRoomInfo(parseDiscoInfo(prosodyRoom(field, `Our room ${MRS_NOINDEX_MARKER}`)));
    assert.deepEqual([room.optedOut, isListableRoom(room)], [true, false], field);
  }
  // Data-form values are read up to 2000 characters (xep0004-data-forms.ts): a marker at the end of one that long counts.
  const chatlas = parseRoomInfo(parseDiscoInfo(prosodyRoom('muc#roominfo_description', `${'x'.repeat(1980)} (CHATLAS-NOINDEX)`)));
  assert.equal(chatlas.description.length, 1998);
  assert.equal(chatlas.optedOut, true);
});
