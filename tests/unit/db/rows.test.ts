import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RAW_BYTES, observationRow, truncateUtf8 } from '../../../db/rows.ts';

test('truncateUtf8 never splits a character and respects the byte cap', () => {
  assert.equal(truncateUtf8('abc', 10), 'abc');
  assert.equal(truncateUtf8('ééé', 3), 'é');
  assert.equal(truncateUtf8('😀😀', 5), '😀');
  const long = 'ж'.repeat(100_000);
  assert.ok(Buffer.byteLength(truncateUtf8(long, 1000)) <= 1000);
});

test('observationRow bounds the raw reply and stores facts as JSON', () => {
  const row = observationRow({
    passId: '00000000-0000-4000-8000-000000000000', domain: 'a.test', protocol: 'xmpp', step: 'xmpp.version',
    observedAt: new Date(1_700_000_000_123), outcome: 'ok', durationMs: 12.6, facts: { name: 'Prosody' }, raw: 'x'.repeat(MAX_RAW_BYTES * 2), error: '',
  });
  assert.equal(row.observed_at, 1_700_000_000_123);
  assert.equal(row.duration_ms, 13);
  assert.equal(row.raw.length, MAX_RAW_BYTES);
  assert.deepEqual(JSON.parse(row.facts), { name: 'Prosody' });
});
