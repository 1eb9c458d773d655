import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricPoint } from '../../../../site/lib/api/metric-point.ts';
import { rangeDates } from '../../../../site/lib/api/range-dates.ts';
import { NETWORK_METRICS } from '../../../../site/lib/params.ts';
import type { NetworkPoint } from '../../../../db/queries/stats/get-network-series.ts';

const p: NetworkPoint = {
  bucket: '2026-11-01', protocol: 'matrix', probed: 100, reachable: 80, rooms: 500, members: 9000, openRegistration: 12,
  tlsObserved: 70, tlsValid: 65, tlsExpiring: 3, dnssecObserved: 60, dnssec: 9, daneObserved: 60, dane: 2, ipv6Observed: 75, ipv6: 30,
  firstAt: '2026-11-01T00:00:00Z', lastAt: '2026-11-01T23:00:00Z',
};

test('each metric has its value and the right denominator', () => {
  assert.deepEqual(metricPoint('servers', p), { bucket: '2026-11-01', protocol: 'matrix', value: 100, base: 100, probed: 100, firstAt: p.firstAt, lastAt: p.lastAt });
  assert.equal(metricPoint('reachable', p).base, 100);
  assert.deepEqual([metricPoint('tls_valid', p).value, metricPoint('tls_valid', p).base], [65, 70]);
  assert.deepEqual([metricPoint('ipv6', p).value, metricPoint('ipv6', p).base], [30, 75]);
  assert.deepEqual([metricPoint('open_registration', p).value, metricPoint('open_registration', p).base], [12, 80]);
  for (const m of NETWORK_METRICS) assert.ok(Number.isFinite(metricPoint(m, p).value), m);
});

test('ranges become inclusive UTC day spans', () => {
  const now = new Date('2026-11-24T10:00:00Z');
  assert.deepEqual(rangeDates('30d', now), { from: '2026-10-26', to: '2026-11-24' });
  assert.equal(rangeDates('all', now).from, '2020-01-01');
});
