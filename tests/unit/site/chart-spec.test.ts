import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { metricChart, softwareShareChart, versionChart } from '../../../site/lib/chart-spec.ts';
import { metricDef } from '../../../site/lib/metrics.ts';
import type { NetworkPoint } from '../../../db/queries/stats/get-network-series.ts';

const point = (bucket: string, protocol: 'matrix' | 'xmpp', over: Partial<NetworkPoint>): NetworkPoint => ({
  bucket, protocol, probed: 0, reachable: 0, rooms: 0, members: 0, openRegistration: 0, tlsObserved: 0, tlsValid: 0, tlsExpiring: 0,
  dnssecObserved: 0, dnssec: 0, daneObserved: 0, dane: 0, ipv6Observed: 0, ipv6: 0, firstAt: null, lastAt: null, ...over,
});

describe('metricChart', () => {
  it('draws a line per protocol with gaps where a protocol has no point', () => {
    const spec = metricChart([
      point('2026-01-01', 'matrix', { reachable: 5 }),
      point('2026-01-02', 'matrix', { reachable: 6 }),
      point('2026-01-02', 'xmpp', { reachable: 2 }),
    ], metricDef('reachable'));
    assert.deepEqual(spec.labels, ['2026-01-01', '2026-01-02']);
    assert.deepEqual(spec.datasets.map((d) => [d.label, d.data]), [['Matrix', [5, 6]], ['XMPP', [null, 2]]]);
    assert.equal(spec.percent, false);
  });
  it('turns shares into percentages over the observed denominator, null when none', () => {
    const spec = metricChart([
      point('2026-01-01', 'xmpp', { ipv6: 1, ipv6Observed: 3 }),
      point('2026-01-02', 'xmpp', { ipv6: 0, ipv6Observed: 0 }),
    ], metricDef('ipv6'));
    assert.deepEqual(spec.datasets[0]!.data, [33.3, null]);
    assert.equal(spec.percent, true);
  });
});

describe('softwareShareChart', () => {
  it('stacks the top implementations and folds the rest into Other', () => {
    const spec = softwareShareChart([
      { bucket: 'd1', protocol: 'matrix', software: 'synapse', servers: 6 },
      { bucket: 'd1', protocol: 'matrix', software: 'dendrite', servers: 3 },
      { bucket: 'd1', protocol: 'matrix', software: 'conduit', servers: 1 },
    ], 2);
    assert.deepEqual(spec.datasets.map((d) => [d.label, d.data]), [['Synapse', [60]], ['Dendrite', [30]], ['Other', [10]]]);
    assert.equal(spec.stacked, true);
  });
});

describe('versionChart', () => {
  it('keeps the versions largest in the latest bucket', () => {
    const spec = versionChart([
      { bucket: 'd1', version: '1.0', servers: 9 },
      { bucket: 'd2', version: '1.0', servers: 1 },
      { bucket: 'd2', version: '1.1', servers: 8 },
    ], 1);
    assert.deepEqual(spec.datasets.map((d) => [d.label, d.data]), [['1.1', [0, 8]], ['Other', [9, 1]]]);
  });
});
