/**
 * Unrecognised software names in the software queries (softwareGroupSql):
 * a plain name is a row of its own only when at least MIN_SERVERS_PER_NAME
 * servers of the protocol report it; fewer, a hostile one, or a value an
 * older Chatlas stored (a cleaned copy of any name) count as `unrecognised`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { getSoftwareComparison } from '../../../../db/queries/software/get-software-comparison.ts';
import { getSoftwareShare } from '../../../../db/queries/software/get-software-share.ts';
import { getSoftwareSeries } from '../../../../db/queries/software/get-software-series.ts';
import { getVersionSeries } from '../../../../db/queries/software/get-version-series.ts';
import { getRegistrationModes } from '../../../../db/queries/software/get-registration-modes.ts';
import { getFeatureAdoption } from '../../../../db/queries/software/get-feature-adoption.ts';
import { MIN_SERVERS_PER_NAME } from '../../../../db/queries/software/software-group-sql.ts';
import { unrecognisedKey } from '../../../../crawler/software-key.ts';
import { insert, openTestStore, result, snap } from './store.ts';

let db: Db;
let close: () => Promise<void>;
const AT = '2026-11-02T10:00:00Z';
const DAY = '2026-11-02';
const SHARED = unrecognisedKey('Hungry Server');
const RARE = unrecognisedKey('Rare Thing');
/** The Matrix servers inserted below: the shared, the rare, the payload, the legacy one and Synapse. */
const MATRIX_SERVERS = MIN_SERVERS_PER_NAME + (MIN_SERVERS_PER_NAME - 1) + 3;

before(async () => {
  ({ db, close } = await openTestStore());
  const s = (domain: string, protocol: 'matrix' | 'xmpp', software: string, version = '1.0.0') =>
    result(snap(domain, protocol, AT, { software, version, features: ['f.shared'] }));
  await insert(db, [
    // As many Matrix servers as the threshold share a plain name: shown as its own row.
    ...Array.from({ length: MIN_SERVERS_PER_NAME }, (_, i) => s(`hungry${i}.test`, 'matrix', SHARED, i === 0 ? '2.1.0' : '2.0.0')),
    // One fewer share another: folded into unrecognised.
    ...Array.from({ length: MIN_SERVERS_PER_NAME - 1 }, (_, i) => s(`rare${i}.test`, 'matrix', RARE)),
    s('payload.test', 'matrix', unrecognisedKey('<img src=x onerror=alert(1)>'), ''),
    // What the old rule stored for that payload, in a store written before the fix.
    s('legacy.test', 'matrix', 'img srcx onerroralerteta', ''),
    s('synapse.test', 'matrix', 'synapse', '1.163.2'),
    // The threshold counts per protocol: one XMPP server with the shared name is not enough there.
    s('hungry.xmpp.test', 'xmpp', SHARED),
    s('prosody.test', 'xmpp', 'prosody', '13.0.2'),
  ]);
});
after(() => close());

describe('the software pages group unrecognised names by the threshold', () => {
  it('comparison: the shared name is a row, the rare, hostile and legacy ones are "unrecognised"', async () => {
    const rows = await getSoftwareComparison(db);
    assert.deepEqual(rows.map((r) => [r.protocol, r.software, r.servers, r.newestVersion]), [
      ['matrix', 'unrecognised', MIN_SERVERS_PER_NAME + 1, '1.0.0'],
      ['matrix', SHARED, MIN_SERVERS_PER_NAME, '2.1.0'],
      ['matrix', 'synapse', 1, '1.163.2'],
      ['xmpp', 'prosody', 1, '13.0.2'],
      ['xmpp', 'unrecognised', 1, '1.0.0'],
    ]);
    const one = await getSoftwareComparison(db, { software: 'unrecognised', protocol: 'matrix' });
    assert.deepEqual(one.map((r) => [r.software, r.servers]), [['unrecognised', MIN_SERVERS_PER_NAME + 1]]);
  });

  it('share and series: the same keys', async () => {
    const share = await getSoftwareShare(db, { day: DAY, protocol: 'matrix' });
    assert.deepEqual(share.map((r) => [r.software, r.servers, r.total]), [
      ['unrecognised', MIN_SERVERS_PER_NAME + 1, MATRIX_SERVERS],
      [SHARED, MIN_SERVERS_PER_NAME, MATRIX_SERVERS],
      ['synapse', 1, MATRIX_SERVERS],
    ]);
    const series = await getSoftwareSeries(db, { from: DAY, to: DAY });
    assert.deepEqual(series.map((p) => [p.protocol, p.software, p.servers]), [
      ['matrix', 'unrecognised', MIN_SERVERS_PER_NAME + 1],
      ['matrix', SHARED, MIN_SERVERS_PER_NAME],
      ['matrix', 'synapse', 1],
      ['xmpp', 'prosody', 1],
      ['xmpp', 'unrecognised', 1],
    ]);
  });

  it('versions of "unrecognised" gather every name it stands for', async () => {
    const v = await getVersionSeries(db, { software: 'unrecognised', from: DAY, to: DAY });
    assert.deepEqual(v.map((p) => [p.version, p.servers]), [['1.0.0', MIN_SERVERS_PER_NAME], ['', 2]]);
  });

  it('registration modes and features: no row under a folded name', async () => {
    const modes = await getRegistrationModes(db, { day: DAY, protocol: 'matrix' });
    assert.deepEqual([...new Set(modes.map((m) => m.software))].sort(), ['', SHARED, 'synapse', 'unrecognised'].sort());
    const features = await getFeatureAdoption(db, { day: DAY, protocol: 'matrix' });
    assert.deepEqual(features.map((f) => [f.software, f.servers]), [
      ['', MATRIX_SERVERS], ['synapse', 1], ['unrecognised', MIN_SERVERS_PER_NAME + 1], [SHARED, MIN_SERVERS_PER_NAME],
    ]);
  });
});
