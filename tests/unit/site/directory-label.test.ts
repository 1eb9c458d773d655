import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directoryLabel } from '../../../site/lib/directory-label.ts';
import { DIRECTORY_EXPOSURES } from '../../../crawler/types.ts';

test('every stored exposure has its own words; an unmeasured or unknown value says so, never "none"', () => {
  const labels = DIRECTORY_EXPOSURES.map(directoryLabel);
  assert.equal(new Set(labels).size, DIRECTORY_EXPOSURES.length);
  assert.ok(labels.every((l) => l !== 'not measured'));
  assert.equal(directoryLabel(''), 'not measured');
  assert.equal(directoryLabel(undefined), 'not measured');
  assert.equal(directoryLabel('<script>'), 'not measured');
  assert.match(directoryLabel('federation'), /over federation/);
});
