import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import type { SrvRecord } from '../../../../crawler/net/dns.ts';
import { resolveMatrixServer, type ResolveDeps, type WellKnownFetch, type WellKnownResult } from '../../../../crawler/discover/matrix-resolve.ts';
import { LRUCache } from 'lru-cache';
import { wellKnownTtlMs } from '../../../../crawler/discover/matrix-well-known-cache.ts';
import { lruClock } from '../../../../lib/lru-clock.ts';

const NOW = new Date('2026-11-24T20:00:00Z');
type WK = WellKnownFetch | ProbeError;

/** Deps from tables; records every call so tests can assert what was (not) asked. */
function deps(wellKnown: Record<string, WK>, srv: Record<string, SrvRecord[] | ProbeError>, extra: Partial<ResolveDeps> = {}) {
  const calls: string[] = [];
  const d: ResolveDeps = {
    now: NOW,
    random: () => 0,
    async fetchWellKnown(host) {
      calls.push(`wk ${host}`);
      const r = wellKnown[host] ?? { status: 404, bodyText: 'not found', headers: {}, redirects: 0, finalUrl: '' };
      if (r instanceof ProbeError) throw r;
      return r;
    },
    async srv(name) {
      calls.push(`srv ${name}`);
      const r = srv[name] ?? [];
      if (r instanceof ProbeError) throw r;
      return r;
    },
    ...extra,
  };
  return { d, calls };
}
const ok = (body: unknown, headers: Record<string, string> = {}): WellKnownFetch => ({ status: 200, bodyText: JSON.stringify(body), headers, redirects: 0, finalUrl: '' });
const rec = (target: string, port: number, priority = 10): SrvRecord => ({ priority, weight: 5, port, target });

test('IP literals and explicit ports skip discovery (spec steps 1-2)', async () => {
  for (const [name, target, host] of [['1.2.3.4', '1.2.3.4:8448', '1.2.3.4'], ['1.2.3.4:99', '1.2.3.4:99', '1.2.3.4:99'], ['[::1]', '::1:8448', '[::1]'], ['example.test:1234', 'example.test:1234', 'example.test:1234']] as const) {
    const { d, calls } = deps({}, {});
    const r = await resolveMatrixServer(name, d);
    assert.deepEqual(calls, [], name);
    assert.equal(`${r.endpoint?.targets[0]?.host}:${r.endpoint?.targets[0]?.port}`, target);
    assert.equal(r.endpoint?.hostHeader, host);
  }
});

test('well-known delegation to host:port uses it with Host = delegated name (3.2)', async () => {
  const { d, calls } = deps({ 'example.test': ok({ 'm.server': 'matrix.example.test:443' }) }, {});
  const r = await resolveMatrixServer('example.test', d);
  assert.deepEqual(calls, ['wk example.test']);
  assert.deepEqual(r.endpoint, { targets: [{ host: 'matrix.example.test', port: 443 }], hostHeader: 'matrix.example.test:443', tlsName: 'matrix.example.test', method: 'well-known-port', delegatedTo: 'matrix.example.test:443' });
});

test('well-known delegation without port goes to SRV of the delegated name, then the deprecated one, then 8448 (3.3-3.5)', async () => {
  let { d } = deps({ 'example.test': ok({ 'm.server': 'm.example.test' }) }, { '_matrix-fed._tcp.m.example.test': [rec('fed.example.test', 8449)] });
  let r = await resolveMatrixServer('example.test', d);
  assert.equal(r.endpoint?.method, 'well-known-srv');
  assert.deepEqual(r.endpoint?.targets, [{ host: 'fed.example.test', port: 8449 }]);
  assert.equal(r.endpoint?.tlsName, 'm.example.test');
  ({ d } = deps({ 'example.test': ok({ 'm.server': 'm.example.test' }) }, { '_matrix._tcp.m.example.test': [rec('old.example.test', 8450)] }));
  r = await resolveMatrixServer('example.test', d);
  assert.equal(r.endpoint?.method, 'well-known-srv-legacy');
  assert.ok(r.report.some((i) => i.level === 'warn' && i.fix?.includes('_matrix-fed._tcp.m.example.test')));
  ({ d } = deps({ 'example.test': ok({ 'm.server': 'm.example.test' }) }, {}));
  r = await resolveMatrixServer('example.test', d);
  assert.deepEqual([r.endpoint?.method, r.endpoint?.targets], ['well-known-default', [{ host: 'm.example.test', port: 8448 }]]);
});

test('invalid well-known JSON is ignored, explained, and SRV on the server name follows (step 4)', async () => {
  const { d, calls } = deps({ 'example.test': { status: 200, bodyText: '{"m.server": ', headers: {}, redirects: 0, finalUrl: '' } }, { '_matrix-fed._tcp.example.test': [rec('a.example.test', 1111, 20), rec('b.example.test', 2222, 10)] });
  const r = await resolveMatrixServer('example.test', d);
  assert.deepEqual(calls, ['wk example.test', 'srv _matrix-fed._tcp.example.test']);
  assert.deepEqual(r.endpoint?.targets, [{ host: 'b.example.test', port: 2222 }, { host: 'a.example.test', port: 1111 }]);
  assert.equal(r.endpoint?.hostHeader, 'example.test');
  assert.equal(r.steps[0]?.outcome, 'json.invalid');
  assert.ok(r.report.some((i) => i.level === 'error' && i.fix?.includes('m.server')));
});

test('a redirect loop and a DNS failure are recorded, then port 8448', async () => {
  const { d } = deps({ 'example.test': new ProbeError('http.redirect-limit', 'redirect loop') }, { '_matrix-fed._tcp.example.test': new ProbeError('dns.servfail', 'SERVFAIL') });
  const r = await resolveMatrixServer('example.test', d);
  assert.deepEqual(r.steps.map((s) => s.outcome), ['http.redirect-limit', 'dns.servfail', 'absent']);
  assert.deepEqual(r.endpoint?.targets, [{ host: 'example.test', port: 8448 }]);
});

test('an invalid server name is an error, not an exception', async () => {
  const { d, calls } = deps({}, {});
  const r = await resolveMatrixServer('bad name:99999', d);
  assert.equal(r.endpoint, null);
  assert.equal(r.error?.code, 'matrix.invalid-server-name');
  assert.deepEqual(calls, []);
});

test('well-known results are cached per Cache-Control, errors for an hour, no-store not at all', async () => {
  let clock = NOW.getTime();
  const cache = new LRUCache<string, WellKnownResult>({ max: 100, ...lruClock(() => clock) });
  const { d, calls } = deps({
    'example.test': ok({ 'm.server': 'm.example.test:443' }, { 'cache-control': 'max-age=600' }),
    'down.test': new ProbeError('net.connect-refused', 'refused'),
    'nostore.test': ok({ 'm.server': 'm.nostore.test:443' }, { 'cache-control': 'no-store' }),
  }, {}, { cache });
  const wk = (host: string) => calls.filter((c) => c === `wk ${host}`).length;
  for (const host of ['example.test', 'down.test', 'nostore.test']) {
    await resolveMatrixServer(host, d);
    await resolveMatrixServer(host, d);
  }
  assert.deepEqual([wk('example.test'), wk('down.test'), wk('nostore.test')], [1, 1, 2]);
  // lru-cache keeps an entry while its age is at most its TTL.
  clock += 600_000;
  await resolveMatrixServer('example.test', d);
  assert.equal(wk('example.test'), 1, 'still cached at max-age');
  clock += 1;
  await resolveMatrixServer('example.test', d);
  await resolveMatrixServer('down.test', d);
  assert.deepEqual([wk('example.test'), wk('down.test')], [2, 1], 'max-age passed; the error is kept for an hour');
  clock += 3_000_000;
  await resolveMatrixServer('down.test', d);
  assert.equal(wk('down.test'), 2, 'the error asked again after an hour');
});

test('wellKnownTtlMs: default 24 h, cap 48 h, no-store 0, errors at most 1 h', () => {
  const h = 3600_000;
  assert.equal(wellKnownTtlMs({}, true, NOW), 24 * h);
  assert.equal(wellKnownTtlMs({ 'cache-control': 'public, max-age=999999' }, true, NOW), 48 * h);
  assert.equal(wellKnownTtlMs({ 'cache-control': 'no-store' }, true, NOW), 0);
  assert.equal(wellKnownTtlMs({ 'cache-control': 'max-age=60' }, true, NOW), 60_000);
  assert.equal(wellKnownTtlMs({}, false, NOW), h);
  assert.equal(wellKnownTtlMs({ 'cache-control': 'max-age=86400' }, false, NOW), h);
  assert.equal(wellKnownTtlMs({ expires: new Date(NOW.getTime() + 120_000).toUTCString() }, true, NOW), 120_000);
});
