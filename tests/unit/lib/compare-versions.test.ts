import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions } from '../../../lib/compare-versions.ts';

describe('compareVersions', () => {
  it('compares dotted parts as numbers', () => {
    assert.ok(compareVersions('1.10.0', '1.9.3') > 0);
    assert.ok(compareVersions('1.9.0', '1.10.0') < 0);
    assert.ok(compareVersions('0.12.3', '13.0.0') < 0);
    assert.equal(compareVersions('25.10', '25.10'), 0);
  });

  it('puts a missing or non-numeric part lowest', () => {
    assert.ok(compareVersions('', '0.1') < 0);
    assert.ok(compareVersions('25.10', '25.10.0') < 0);
    assert.ok(compareVersions('1.2.x', '1.2.0') < 0);
  });

  it('sorts a list newest last', () => {
    assert.deepEqual(['1.10.0', '1.9.0', '1.100.1', '1.9.10'].sort(compareVersions), ['1.9.0', '1.9.10', '1.10.0', '1.100.1']);
  });
});
