import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../../db/client.ts';
import { listServers } from '../../../../db/queries/servers/list-servers.ts';
import { getServer } from '../../../../db/queries/servers/get-server.ts';
import { getServerHistory } from '../../../../db/queries/servers/get-server-history.ts';
import { getServerDiscovery } from '../../../../db/queries/servers/get-server-discovery.ts';
import { getServerObservations } from '../../../../db/queries/servers/get-server-observations.ts';
import { InvalidCursorError } from '../../../../db/queries/servers/invalid-cursor-error.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { insert, openTestStore, register, result, snap } from './store.ts';

let db: Db;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await openTestStore());
  const many = Array.from({ length: 7 }, (_, i) =>
    result(snap(`m${i}.test`, 'matrix', '2026-11-02T10:00:00Z', { publicMembers: 100 * (i % 3), version: `1.${i}.0` })));
  await insert(db, [
    ...many,
    result(snap('x.test', 'xmpp', '2026-11-01T10:00:00Z', { software: 'ejabberd', version: '24.12', registration: 'open', publicMembers: 50 })),
    result(snap('x.test', 'xmpp', '2026-11-02T10:00:00Z', { status: 'unreachable', software: 'unknown', version: '', tls: null, error: 'connect ETIMEDOUT' })),
    result(snap('bad-tls.test', 'xmpp', '2026-11-02T10:00:00Z', { tls: { protocol: 'TLSv1.2', cipher: null, issuer: 'Self', subject: 'other', validFrom: null, validTo: null, chainValid: false, nameValid: false, error: 'self-signed' } })),
    result(snap('hidden.test', 'matrix', '2026-11-02T10:00:00Z')),
    result(snap('pending.test', 'matrix', '2026-11-02T10:00:00Z')),
    result(snap('dnsoptout.test', 'matrix', '2026-11-02T10:00:00Z')),
    result(snap('removed.test', 'matrix', '2026-11-02T10:00:00Z')),
    result(snap('both.test', 'matrix', '2026-11-02T10:00:00Z')),
    result(snap('both.test', 'xmpp', '2026-11-02T10:00:00Z')),
  ]);
  await insertProbeResults(db, [{
    ...result(snap('both.test', 'matrix', '2026-11-01T09:00:00Z')),
    discoveries: [
      { domain: 'both.test', protocol: 'matrix', via: 'room-alias', sourceDomain: 'm1.test', foundAt: new Date('2026-10-01T00:00:00Z') },
      { domain: 'both.test', protocol: 'matrix', via: 'room-alias', sourceDomain: 'm1.test', foundAt: new Date('2026-10-05T00:00:00Z') },
      { domain: 'both.test', protocol: null, via: 'seed', sourceDomain: '', foundAt: new Date('2026-09-01T00:00:00Z') },
    ],
  }]);
  await register(db, { domain: 'hidden.test', state: 'verified', hidden: true });
  await register(db, { domain: 'pending.test', state: 'pending', hidden: true }); // no proof: no effect
  await register(db, { domain: 'removed.test', state: 'removed', opt_out: true }); // the admin asked for removal
  await db.client.insert({ table: 'opt_outs', format: 'JSONEachRow', values: [{ domain: 'dnsoptout.test', source: 'dns-txt', active: true, observed_at: Date.parse('2026-11-02T00:00:00Z') }] });
});
after(() => close());

describe('listServers', () => {
  it('never lists hidden or opted-out servers, but ignores an unverified request', async () => {
    const page = await listServers(db, { sort: 'domain', limit: 200 });
    const domains = page.rows.map((r) => `${r.protocol}:${r.domain}`);
    assert.ok(!domains.some((d) => d.endsWith(':hidden.test') || d.endsWith(':dnsoptout.test') || d.endsWith(':removed.test')));
    assert.ok(domains.includes('matrix:pending.test'));
    assert.equal(page.total, 12);
    assert.equal(page.nextCursor, null);
  });

  it('pages with a cursor through every server exactly once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await listServers(db, { sort: 'members', limit: 5, cursor });
      seen.push(...page.rows.map((r) => `${r.public_members}:${r.protocol}:${r.domain}`));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.equal(seen.length, 12);
    assert.equal(new Set(seen).size, 12);
    const members = seen.map((s) => Number(s.split(':')[0]));
    assert.deepEqual(members, [...members].sort((a, b) => b - a));
    assert.equal(seen[0], '200:matrix:m5.test');
  });

  it('shows a down server with its last good software and filters by it', async () => {
    const page = await listServers(db, { software: 'ejabberd' });
    assert.equal(page.rows.length, 1);
    const x = page.rows[0]!;
    assert.deepEqual([x.domain, x.status, x.version, x.registration, x.public_members], ['x.test', 'unreachable', '24.12', 'open', 50]);
    assert.equal(x.last_ok_at, '2026-11-01T10:00:00.000Z');
    assert.equal(x.observed_at, '2026-11-02T10:00:00.000Z');
  });

  it('filters by health, protocol and domain text', async () => {
    assert.deepEqual((await listServers(db, { health: 'down' })).rows.map((r) => r.domain), ['x.test']);
    assert.deepEqual((await listServers(db, { health: 'tls-invalid' })).rows.map((r) => r.domain), ['bad-tls.test']);
    assert.deepEqual((await listServers(db, { protocol: 'xmpp', sort: 'domain' })).rows.map((r) => r.domain), ['bad-tls.test', 'both.test', 'x.test']);
    assert.deepEqual((await listServers(db, { q: 'M3', sort: 'domain' })).rows.map((r) => r.domain), ['m3.test']);
    assert.deepEqual((await listServers(db, { registration: 'open' })).rows.map((r) => r.domain), ['x.test']);
    assert.deepEqual((await listServers(db, { version: '1.4.0' })).rows.map((r) => r.domain), ['m4.test']);
  });

  it('treats a LIKE wildcard in q as text', async () => {
    assert.equal((await listServers(db, { q: '%' })).total, 0);
  });

  it('refuses a forged cursor or one from another sort', async () => {
    const first = await listServers(db, { sort: 'domain', limit: 2 });
    await assert.rejects(listServers(db, { sort: 'members', cursor: first.nextCursor! }), InvalidCursorError);
    await assert.rejects(listServers(db, { cursor: 'bm90LWpzb24' }), InvalidCursorError);
  });
});

describe('getServer', () => {
  it('returns each protocol of a domain with latest and last good state', async () => {
    const both = await getServer(db, { domain: 'both.test' });
    assert.deepEqual(both.map((s) => s.protocol), ['matrix', 'xmpp']);
    const x = await getServer(db, { domain: 'x.test' });
    assert.equal(x[0]!.latest.status, 'unreachable');
    assert.equal(x[0]!.lastOk!.software, 'ejabberd');
    assert.equal(x[0]!.lastOk!.tls_valid, true);
  });
  it('returns nothing for unknown, hidden and opted-out domains', async () => {
    assert.deepEqual(await getServer(db, { domain: 'nope.test' }), []);
    assert.deepEqual(await getServer(db, { domain: 'hidden.test' }), []);
    assert.deepEqual(await getServer(db, { domain: 'dnsoptout.test' }), []);
    assert.deepEqual(await getServer(db, { domain: 'removed.test' }), []);
  });
});

describe('getServerHistory', () => {
  it('gives one row per day with probes that answered', async () => {
    const days = await getServerHistory(db, { domain: 'x.test', from: '2026-10-01', to: '2026-11-30' });
    assert.deepEqual(days.map((d) => [d.day, d.protocol, d.probes, d.okProbes, d.status, d.software]), [
      ['2026-11-01', 'xmpp', 1, 1, 'ok', 'ejabberd'],
      ['2026-11-02', 'xmpp', 1, 0, 'unreachable', 'unknown'],
    ]);
  });
});

describe('getServerDiscovery', () => {
  it('folds repeated sightings of one edge', async () => {
    const edges = await getServerDiscovery(db, { domain: 'both.test' });
    assert.deepEqual(edges.map((e) => [e.via, e.source, e.times, e.firstAt]), [
      ['seed', '', 1, '2026-09-01T00:00:00.000Z'],
      ['room-alias', 'm1.test', 2, '2026-10-01T00:00:00.000Z'],
    ]);
  });
});

describe('getServerObservations', () => {
  it('returns only the latest pass', async () => {
    const obs = await getServerObservations(db, { domain: 'x.test' });
    assert.deepEqual(obs.map((o) => [o.protocol, o.step, o.outcome, o.observedAt]), [
      ['xmpp', 'dns.srv', 'net.connect-timeout', '2026-11-02T10:00:00.000Z'],
    ]);
  });
});
