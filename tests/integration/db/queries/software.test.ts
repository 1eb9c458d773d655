import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { getSoftwareShare } from '../../../../db/queries/software/get-software-share.ts';
import { getSoftwareSeries } from '../../../../db/queries/software/get-software-series.ts';
import { getVersionSeries } from '../../../../db/queries/software/get-version-series.ts';
import { getFeatureAdoption } from '../../../../db/queries/software/get-feature-adoption.ts';
import { getRegistrationModes } from '../../../../db/queries/software/get-registration-modes.ts';
import { getSoftwareComparison } from '../../../../db/queries/software/get-software-comparison.ts';
import { insert, openTestStore, result, snap } from './store.ts';

let db: Db;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openTestStore());
  await insert(db, [
    // day 1
    result(snap('s1.test', 'matrix', '2026-11-01T10:00:00Z', { version: '1.120.0', features: ['m.login.password'] })),
    result(snap('s2.test', 'matrix', '2026-11-01T10:00:00Z', { version: '1.120.0', registration: 'open' })),
    result(snap('x1.test', 'xmpp', '2026-11-01T10:00:00Z', { version: '0.12.3', features: ['urn:xmpp:mam:2'] })),
    // day 2: s1 upgrades mid-day, s2 switches software mid-day, x1 goes down (keeps its last good identity)
    result(snap('s1.test', 'matrix', '2026-11-02T08:00:00Z', { version: '1.120.0', features: ['m.login.password'] })),
    result(snap('s1.test', 'matrix', '2026-11-02T18:00:00Z', { version: '1.121.0', features: ['m.login.password'] })),
    result(snap('s2.test', 'matrix', '2026-11-02T08:00:00Z', { software: 'synapse', version: '1.120.0', registration: 'open', features: ['m.login.password'] })),
    result(snap('s2.test', 'matrix', '2026-11-02T12:00:00Z', { software: 'dendrite', version: '0.15.2', registration: 'token', features: ['m.login.password'] })),
    result(snap('x1.test', 'xmpp', '2026-11-02T10:00:00Z', { status: 'unreachable', software: 'unknown', version: '', tls: null })),
  ]);
});
after(() => close());

describe('getSoftwareShare', () => {
  it('counts a server that changed software mid-day once, under its last software', async () => {
    const rows = await getSoftwareShare(db, { day: '2026-11-02' });
    assert.deepEqual(rows, [
      { protocol: 'matrix', software: 'dendrite', servers: 1, total: 2 },
      { protocol: 'matrix', software: 'synapse', servers: 1, total: 2 },
    ]);
  });
  it('leaves out servers that were down', async () => {
    const rows = await getSoftwareShare(db, { day: '2026-11-02', protocol: 'xmpp' });
    assert.deepEqual(rows, []);
  });
});

describe('getSoftwareSeries', () => {
  it('gives servers per software per day', async () => {
    const rows = await getSoftwareSeries(db, { from: '2026-11-01', to: '2026-11-02' });
    assert.deepEqual(rows.map((r) => [r.bucket, r.protocol, r.software, r.servers]), [
      ['2026-11-01', 'matrix', 'synapse', 2],
      ['2026-11-01', 'xmpp', 'prosody', 1],
      ['2026-11-02', 'matrix', 'dendrite', 1],
      ['2026-11-02', 'matrix', 'synapse', 1],
    ]);
  });
});

describe('getVersionSeries', () => {
  it('counts a mid-day upgrade under the new version only', async () => {
    const rows = await getVersionSeries(db, { software: 'synapse', from: '2026-11-01', to: '2026-11-02' });
    assert.deepEqual(rows.map((r) => [r.bucket, r.version, r.servers]), [
      ['2026-11-01', '1.120.0', 2],
      ['2026-11-02', '1.121.0', 1],
    ]);
  });
});

describe('getFeatureAdoption', () => {
  it('counts a server once over all software even when it sits in two software rows', async () => {
    const rows = await getFeatureAdoption(db, { day: '2026-11-02', protocol: 'matrix' });
    const all = rows.filter((r) => r.software === '');
    assert.deepEqual(all, [{ protocol: 'matrix', software: '', feature: 'm.login.password', servers: 2 }]);
    const perSoftware = rows.filter((r) => r.software !== '').map((r) => [r.software, r.servers]);
    // s2 advertised it as synapse in the morning and as dendrite after: one server, both implementations.
    assert.deepEqual(perSoftware, [['dendrite', 1], ['synapse', 2]]);
  });
  it('keeps only the requested software besides the overall rows', async () => {
    const rows = await getFeatureAdoption(db, { day: '2026-11-02', software: 'dendrite' });
    assert.deepEqual(rows.map((r) => r.software).sort(), ['', 'dendrite']);
  });
});

describe('getRegistrationModes', () => {
  it('uses each server\'s last mode of the day, overall and per software', async () => {
    const rows = await getRegistrationModes(db, { day: '2026-11-02' });
    assert.deepEqual(rows.map((r) => [r.protocol, r.software, r.registration, r.servers]), [
      ['matrix', '', 'closed', 1],
      ['matrix', '', 'token', 1],
      ['matrix', 'dendrite', 'token', 1],
      ['matrix', 'synapse', 'closed', 1],
    ]);
  });
});

describe('getSoftwareComparison', () => {
  it('keeps a down server under its last good software and counts it unreachable', async () => {
    const rows = await getSoftwareComparison(db, { protocol: 'xmpp' });
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.software, rows[0]!.servers, rows[0]!.reachable, rows[0]!.newestVersion], ['prosody', 1, 0, '0.12.3']);
  });
  it('compares versions numerically, not as text', async () => {
    await insert(db, [result(snap('s3.test', 'matrix', '2026-11-02T09:00:00Z', { version: '1.99.0' }))]);
    const [row] = await getSoftwareComparison(db, { software: 'synapse' });
    assert.equal(row!.newestVersion, '1.121.0');
    assert.equal(row!.servers, 2);
    assert.equal(row!.versions, 2);
  });
});
