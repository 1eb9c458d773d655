import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo, formatChange, formatCompact, formatNumber, formatPointChange, formatShare, formatTime } from '../../../site/lib/format.ts';

describe('format', () => {
  it('groups numbers and shows a dash for missing values', () => {
    assert.equal(formatNumber(1234567), '1,234,567');
    assert.equal(formatNumber(null), '—');
    assert.equal(formatNumber(Number.NaN), '—');
  });
  it('compacts only large numbers', () => {
    assert.equal(formatCompact(9999), '9,999');
    assert.equal(formatCompact(166_900), '166.9K');
  });
  it('formats shares with sensible precision and no division by zero', () => {
    assert.equal(formatShare(1, 3), '33%');
    assert.equal(formatShare(1, 300), '0.3%');
    assert.equal(formatShare(0, 5), '0%');
    assert.equal(formatShare(3, 0), '—');
  });
  it('signs changes with a true minus', () => {
    assert.equal(formatChange(12), '+12');
    assert.equal(formatChange(-3), '\u22123');
    assert.equal(formatChange(0), '±0');
    assert.equal(formatPointChange(0.25, 0.2), '+5.0 pts');
    assert.equal(formatPointChange(0.2, 0.25), '\u22125.0 pts');
    assert.equal(formatPointChange(0.2, null), '—');
  });
  it('formats times in UTC and relative to now', () => {
    assert.equal(formatTime('2026-11-20T11:50:12.061Z'), '2026-11-20 11:50 UTC');
    const now = new Date('2026-11-20T12:00:00Z');
    assert.equal(formatAgo('2026-11-20T11:59:00Z', now), '1 minute ago');
    assert.equal(formatAgo('2026-11-20T07:00:00Z', now), '5 hours ago');
    assert.equal(formatAgo('2026-11-10T12:00:00Z', now), '10 days ago');
    assert.equal(formatAgo('2026-11-30T12:00:00Z', now), 'in 10 days');
    assert.equal(formatAgo(null, now), 'never');
  });
});
