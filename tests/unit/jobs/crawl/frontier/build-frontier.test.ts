import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFrontier } from '../../../../../jobs/crawl/frontier/build-frontier.ts';

test('merges seeds, discovered domains and registrations into one entry per domain', () => {
  const f = buildFrontier({
    seeds: [{ domain: 'matrix.org', protocol: 'matrix', source: 'matrix.org' }, { domain: 'jabber.org', protocol: 'xmpp', source: 'xsf' }],
    known: [
      { domain: 'Matrix.org', protocols: ['matrix'], vias: ['room-alias'] },
      { domain: 'jabber.org', protocols: ['matrix'], vias: ['room-via'] },
      { domain: 'unknown.net', protocols: [], vias: ['contact'] },
      { domain: 'bad_name.net', protocols: ['xmpp'], vias: ['muc'] },
    ],
    registrations: [
      { domain: 'registered.eu', protocol: 'xmpp', state: 'pending' },
      { domain: 'gone.eu', protocol: 'xmpp', state: 'removed' },
    ],
    optedOut: ['Unknown.NET'],
  });
  assert.deepEqual(f.entries, [
    { domain: 'jabber.org', protocols: ['matrix', 'xmpp'], vias: ['room-via', 'seed'], optedOut: false },
    { domain: 'matrix.org', protocols: ['matrix'], vias: ['room-alias', 'seed'], optedOut: false },
    { domain: 'registered.eu', protocols: ['xmpp'], vias: ['registration'], optedOut: false },
    { domain: 'unknown.net', protocols: ['xmpp', 'matrix'], vias: ['contact'], optedOut: true },
  ]);
  assert.deepEqual(f.refused, [{ input: 'bad_name.net', reason: 'bad-character', from: 'domains' }]);
});

test('a domain seen without protocol and with one keeps only the known protocol', () => {
  const f = buildFrontier({
    seeds: [{ domain: 'a.org', protocol: null, source: '' }],
    known: [{ domain: 'a.org', protocols: ['xmpp'], vias: ['srv'] }],
    registrations: [],
    optedOut: [],
  });
  assert.deepEqual(f.entries[0]?.protocols, ['xmpp']);
});

test('a domain known only as another server\'s own component is not a server to probe; one found otherwise too is', () => {
  const f = buildFrontier({
    seeds: [{ domain: 'rooms.seeded.org', protocol: 'xmpp', source: 'list' }],
    known: [
      { domain: 'conference.home.net', protocols: ['xmpp'], vias: ['disco-item', 'muc'], sources: ['home.net'] },
      { domain: 'muc.other.net', protocols: ['xmpp'], vias: ['muc'], sources: ['home.net'] },
      { domain: 'chat.home.net', protocols: ['xmpp'], vias: ['disco-item', 'contact'], sources: ['home.net'] },
      { domain: 'upload.home.net', protocols: ['xmpp'], vias: ['disco-item'], sources: ['home.net', 'partner.net'] },
      { domain: 'rooms.seeded.org', protocols: ['xmpp'], vias: ['muc'], sources: ['seeded.org'] },
      { domain: 'legacy.org', protocols: ['xmpp'], vias: ['muc'] },
    ],
    registrations: [],
    optedOut: [],
  });
  assert.deepEqual(f.entries.map((e) => e.domain), ['chat.home.net', 'legacy.org', 'muc.other.net', 'rooms.seeded.org', 'upload.home.net']);
});
