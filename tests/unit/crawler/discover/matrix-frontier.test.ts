import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixDiscoveries, MAX_DISCOVERIES } from '../../../../crawler/discover/matrix-frontier.ts';
import type { ListedRoom } from '../../../../crawler/protocol/matrix-rooms.ts';

const at = new Date('2026-11-24T20:00:00Z');
const room = (roomId: string, extra: Partial<ListedRoom> = {}): ListedRoom => ({
  roomId, address: '', name: '', topic: '', members: 1, avatarUrl: '', worldReadable: null, guestCanJoin: null,
  joinRule: 'public', roomType: 'room', children: [], via: [], ...extra,
});

test('server names from room ids, aliases, via lists and contacts; self, v12 ids and junk left out', () => {
  const found = matrixDiscoveries({
    sourceDomain: 'home.test',
    rooms: [
      room('!a:home.test', { address: '#a:Alias.TEST' }),
      room('!b:other.test:8448'),
      room('!opaquev12id'),
      room('!c:bad name', { via: ['via.test', 'https://not-a-name'] }),
    ],
    via: ['via.test', 'space-via.test'],
    contacts: ['@admin:contact.test', 'not-an-id'],
    foundAt: at,
  });
  assert.deepEqual(found.map((d) => [d.domain, d.via]), [
    ['alias.test', 'room-alias'], ['other.test:8448', 'room-id'], ['via.test', 'room-via'], ['space-via.test', 'room-via'], ['contact.test', 'contact'],
  ]);
  assert.ok(found.every((d) => d.sourceDomain === 'home.test' && d.protocol === 'matrix' && d.foundAt === at));
});

test('bounded whatever a server lists', () => {
  const rooms = Array.from({ length: MAX_DISCOVERIES + 500 }, (_, i) => room(`!r:s${i}.test`));
  assert.equal(matrixDiscoveries({ sourceDomain: 'x.test', rooms, via: [], contacts: [], foundAt: at }).length, MAX_DISCOVERIES);
});
