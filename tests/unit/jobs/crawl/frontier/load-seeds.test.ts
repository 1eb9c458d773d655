import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSeeds, parseSeeds } from '../../../../../jobs/crawl/frontier/load-seeds.ts';

test('the shipped seed files all normalise, name a source, and hold no duplicates', () => {
  const { seeds, refused } = loadSeeds();
  assert.deepEqual(refused, []);
  assert.ok(seeds.filter((s) => s.protocol === 'xmpp').length >= 10);
  assert.ok(seeds.filter((s) => s.protocol === 'matrix').length >= 10);
  for (const s of seeds) assert.notEqual(s.source, '', `${s.domain} has no "# source:"`);
  const keys = seeds.map((s) => `${s.protocol}:${s.domain}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('parseSeeds reads names, protocol column, sources; refuses junk with line numbers', () => {
  const text = [
    '# comment',
    '',
    'Matrix.ORG matrix # source: matrix.org',
    'jabber.org xmpp',
    'both.chat.eu',
    'localhost',
    'bad.chat.eu smtp',
    'matrix.org matrix # duplicate, dropped',
  ].join('\n');
  const r = parseSeeds(text, 'ops.txt', null);
  assert.deepEqual(r.seeds, [
    { domain: 'matrix.org', protocol: 'matrix', source: 'matrix.org' },
    { domain: 'jabber.org', protocol: 'xmpp', source: '' },
    { domain: 'both.chat.eu', protocol: null, source: '' },
  ]);
  assert.deepEqual(r.refused.map((x) => [x.line, x.reason]), [[6, 'single-label'], [7, 'bad-protocol']]);
});

test('a protocol column contradicting the file protocol is refused', () => {
  const r = parseSeeds('jabber.org matrix', 'xmpp.txt', 'xmpp');
  assert.equal(r.seeds.length, 0);
  assert.equal(r.refused[0]?.reason, 'bad-protocol');
});

test('a missing operator seeds file is one clear error', () => {
  assert.throws(() => loadSeeds({ shipped: false, extraFile: '/nonexistent/seeds.txt' }), /cannot read the seeds file "\/nonexistent\/seeds.txt"/);
});
