/**
 * The implementations' measured profiles (issue 15 item 4) over a real chdb
 * store filled by the real writer (insertProbeResults): 20 days of daily
 * probes ending at an injected `now`, designed so every number is known —
 * three Synapse servers (up 100%, 90% and 95% of probes; one with a
 * certificate that does not verify; a release first seen 10 days ago that
 * half of them ran 2 days later), a Dendrite seen for 3 days only (uptime
 * not known yet), ejabberd's Matrix gateway beside its XMPP server, and a
 * Prosody. Read through the site's loader (guide entries, one version read
 * for every software), the software page's view and the API route, whose
 * answer is checked against the schema the OpenAPI document publishes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ProbeResult, ServerSnapshot } from '../../../crawler/types.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { getVersionSeries } from '../../../db/queries/software/get-version-series.ts';
import { listVersionSeries } from '../../../db/queries/software/list-version-series.ts';
import type { ProtocolProfile } from '../../../guide/profile.ts';
import { loadSoftwareProfiles } from '../../../site/lib/pages/load-software-profiles.ts';
import { loadSoftware } from '../../../site/lib/pages/load-software.ts';
import { configureApi, defaultLimiters, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { softwareDetailSchema } from '../../../site/lib/api/response-schemas.ts';
import * as softwareOne from '../../../site/pages/api/v1/software/[name].ts';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { call } from '../api/call.ts';
import { result, snap } from '../db/queries/store.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
/** `d` days before NOW's day, at 10:00 UTC. */
const ago = (d: number) => new Date(Date.UTC(2026, 11, 7 - d, 10)).toISOString();
const DAYS = 20;
const DOWN: Partial<ServerSnapshot> = { status: 'unreachable', software: 'unknown', version: '', versionRaw: '', registration: 'unknown', tls: null, error: 'connect ETIMEDOUT' };

let store: TestStore;
let profiles: ProtocolProfile[];

before(async () => {
  store = await openTestStore();
  const byDay = new Map<number, ProbeResult[]>();
  const add = (d: number, r: ProbeResult) => byDay.set(d, [...(byDay.get(d) ?? []), r]);
  const v = (version: string): Partial<ServerSnapshot> => ({ version, versionRaw: version });
  for (let d = DAYS - 1; d >= 0; d--) {
    // a: always up; 1.101.0 from 10 days ago (the release's first sighting).
    add(d, result(snap('a.test', 'matrix', ago(d), { ...v(d <= 10 ? '1.101.0' : '1.100.0'), registration: 'open', features: ['org.matrix.msc3575'] })));
    // b: down 5 and 6 days ago (18 of 20 probes up); upgrades 8 days ago.
    add(d, result(snap('b.test', 'matrix', ago(d), d === 5 || d === 6 ? DOWN : { ...v(d <= 8 ? '1.101.0' : '1.100.0'), registration: 'token', features: ['org.matrix.msc3575'] })));
    // c: down 3 days ago (19 of 20), never upgrades, a certificate that does not verify.
    const c = snap('c.test', 'matrix', ago(d), d === 3 ? DOWN : { ...v('1.100.0'), registration: 'closed' });
    if (d !== 3) c.tls = { ...c.tls!, chainValid: false, error: 'unable to get local issuer certificate' };
    add(d, result(c));
    add(d, result(snap('gw.test', 'matrix', ago(d), { software: 'ejabberd', ...v('0.1') })));
    add(d, result(snap('x-ejabberd.test', 'xmpp', ago(d), { software: 'ejabberd', ...v('24.0.0'), registration: 'advertised' })));
    add(d, result(snap('p.test', 'xmpp', ago(d), { ...v('13.0.2'), registration: 'advertised', features: ['urn:xmpp:mam:2'] })));
    if (d <= 2) add(d, result(snap('d.test', 'matrix', ago(d), { software: 'dendrite', ...v('0.15.0'), registration: 'unknown' })));
  }
  // Written one day at a time, oldest first, as passes would.
  for (let d = DAYS - 1; d >= 0; d--) await insertProbeResults(store.db, byDay.get(d)!);
  profiles = await loadSoftwareProfiles(store.db, NOW);
});

after(async () => {
  resetApi();
  await store?.cleanup();
});

const of = (protocol: string) => profiles.find((p) => p.protocol === protocol)!;

describe('listVersionSeries', () => {
  it('gives every software the points getVersionSeries gives it alone', async () => {
    const window = { from: '2026-11-18', to: '2026-12-07' };
    const all = await listVersionSeries(store.db, window);
    for (const [protocol, software] of [['matrix', 'synapse'], ['matrix', 'ejabberd'], ['xmpp', 'ejabberd'], ['matrix', 'dendrite'], ['xmpp', 'prosody']] as const) {
      const one = await getVersionSeries(store.db, { software, protocol, ...window });
      const mine = all.filter((p) => p.protocol === protocol && p.software === software).map(({ bucket, version, servers }) => ({ bucket, version, servers }));
      assert.deepEqual(mine, one, `${protocol}/${software}`);
      assert.ok(one.length > 0, `${protocol}/${software} has points`);
    }
  });
});

describe('loadSoftwareProfiles', () => {
  it('profiles Synapse from what the probes recorded', () => {
    const s = of('matrix').implementations.find((r) => r.software === 'synapse')!;
    assert.equal(s.servers, 3);
    assert.equal(s.reachable, 3);
    // 20/20, 18/20, 19/20 probes up.
    assert.deepEqual(s.uptime30, { median: 0.95, known: 3 });
    assert.deepEqual(s.tlsValid, { count: 2, of: 3 });
    // a and b on 1.101.0, the newest; c on 1.100.0, superseded on the day 1.101.0 was first seen (10 days ago).
    assert.deepEqual(s.current, { count: 2, of: 3 });
    assert.deepEqual(s.behindDays, { median: 0, known: 3 });
    assert.deepEqual(s.signup, { open: 1, invite: 1, closed: 1, unknown: 0 });
    assert.equal(s.ways['in-band'] + s.ways.token, 2);
    assert.equal(s.grades.A + s.grades.B + s.grades.C, 3);
    assert.deepEqual(s.features.find((f) => f.feature === 'org.matrix.msc3575'), { feature: 'org.matrix.msc3575', servers: 2 });
    assert.equal(s.featuresKnown, 2);
    // 1.101.0 first seen 10 days ago on 1 of 3 servers, on 2 of 3 eight days ago.
    assert.deepEqual(s.upgrade, { releases: 1, reachedHalf: 1, medianDaysToHalf: 2 });
  });

  it('leaves a server measured for 3 days out of the uptime median, and a release-less software without upgrade speed', () => {
    const d = of('matrix').implementations.find((r) => r.software === 'dendrite')!;
    assert.equal(d.reachable, 1);
    assert.deepEqual(d.uptime30, { median: null, known: 0 });
    assert.equal(d.upgrade, null);
    assert.deepEqual(d.signup, { open: 0, invite: 0, closed: 0, unknown: 1 });
  });

  it('puts the gateway apart and ejabberd\'s XMPP servers among the XMPP implementations', () => {
    assert.deepEqual(of('matrix').implementations.map((r) => r.software), ['synapse', 'dendrite']);
    assert.deepEqual(of('matrix').others.map((r) => [r.software, r.role]), [['ejabberd', 'gateway']]);
    assert.deepEqual(of('xmpp').implementations.map((r) => r.software).sort(), ['ejabberd', 'prosody']);
    assert.equal(of('matrix').overall.servers, 4);
  });
});

describe('/software/<name>', () => {
  it('shows Synapse beside Dendrite, highlighted', async () => {
    const page = await loadSoftware(store.db, new URL('http://x/software/synapse'), 'synapse', NOW);
    assert.equal(page.kind, 'ok');
    if (page.kind !== 'ok') return;
    assert.deepEqual(page.view.profiles.map((t) => [t.protocol, t.focus, t.rows.map((r) => r.software)]), [['matrix', 'synapse', ['synapse', 'dendrite']]]);
  });

  it('shows ejabberd in both protocols, its gateway after the homeservers', async () => {
    const page = await loadSoftware(store.db, new URL('http://x/software/ejabberd'), 'ejabberd', NOW);
    assert.equal(page.kind, 'ok');
    if (page.kind !== 'ok') return;
    assert.deepEqual(page.view.profiles.map((t) => [t.protocol, t.rows.map((r) => `${r.software}:${r.role}`)]), [
      ['xmpp', ['ejabberd:server', 'prosody:server']],
      ['matrix', ['synapse:server', 'dendrite:server', 'ejabberd:gateway']],
    ]);
  });
});

describe('GET /api/v1/software/{name}', () => {
  before(() => configureApi({
    db: store.db, ...defaultLimiters(), readLimiter: new RateLimiter({ capacity: 10_000, refillPerSecond: 100 }),
    cursorKey: randomBytes(32), registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } },
    now: () => NOW, log: () => {},
  }));

  it('answers the profile in the published schema, one protocol when asked', async () => {
    const res = await call(softwareOne.GET, '/api/v1/software/ejabberd', { params: { name: 'ejabberd' } });
    assert.equal(res.status, 200);
    const body = softwareDetailSchema.parse(await res.json());
    assert.deepEqual(body.profile.map((t) => t.protocol).sort(), ['matrix', 'xmpp']);
    const xmpp = body.profile.find((t) => t.protocol === 'xmpp')!;
    assert.equal(xmpp.focus, 'ejabberd');
    assert.equal(xmpp.overall.servers, 2);
    const only = softwareDetailSchema.parse(await (await call(softwareOne.GET, '/api/v1/software/ejabberd?protocol=xmpp', { params: { name: 'ejabberd' } })).json());
    assert.deepEqual(only.profile.map((t) => t.protocol), ['xmpp']);
  });
});
