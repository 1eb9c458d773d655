/** Display of software keys (site/lib/software-names.ts over crawler/software-key.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { softwareFamily, softwareHref, softwareName } from '../../../site/lib/software-names.ts';

describe('softwareName / softwareHref', () => {
  it('implementations by their display name, linked to their page', () => {
    assert.deepEqual([softwareName('synapse'), softwareHref('synapse')], ['Synapse', '/software/synapse']);
    assert.deepEqual([softwareName('tuwunel'), softwareFamily('tuwunel')], ['Tuwunel', 'Conduit family']);
  });
  it('nothing reported is "Unidentified", a name no rule knows is "Unrecognised"', () => {
    assert.deepEqual([softwareName('unknown'), softwareHref('unknown')], ['Unidentified', '/software/unknown']);
    assert.deepEqual([softwareName('unrecognised'), softwareHref('unrecognised')], ['Unrecognised', '/software/unrecognised']);
  });
  it('a shared unrecognised name is quoted and labelled, with no page of its own', () => {
    assert.equal(softwareName('unrecognised:hungry server'), '“hungry server” (unrecognised)');
    assert.equal(softwareHref('unrecognised:hungry server'), null);
    assert.equal(softwareFamily('unrecognised:hungry server'), '“hungry server” (unrecognised)');
  });
  it('what an older Chatlas stored for a hostile name reads as unrecognised', () => {
    assert.deepEqual([softwareName('img srcx onerroralerteta'), softwareHref('img srcx onerroralerteta')], ['Unrecognised', '/software/unrecognised']);
    assert.equal(softwareName('unrecognised:<img src=x>'), 'Unrecognised');
  });
});
