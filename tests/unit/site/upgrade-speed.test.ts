import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { upgradeSpeed } from '../../../site/lib/upgrade-speed.ts';

describe('upgradeSpeed', () => {
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
  it('measures adoption from the first day a release appears', () => {
    // 10 servers on 1.0.0; 1.1.0 appears on day 2 and one server upgrades per day after.
    const points = [];
    for (let d = 0; d < 40; d++) {
      const upgraded = d < 2 ? 0 : Math.min(10, d - 1);
      points.push({ bucket: day(d), version: '1.0.0', servers: 10 - upgraded });
      if (upgraded) points.push({ bucket: day(d), version: '1.1.0', servers: upgraded });
    }
    const [r] = upgradeSpeed(points.filter((p) => p.servers > 0));
    assert.equal(r!.version, '1.1.0');
    assert.equal(r!.firstSeen, day(2));
    assert.equal(r!.after7, 0.8); // day 9: 8 of 10
    assert.equal(r!.after30, 1);
    assert.equal(r!.daysToHalf, 4); // day 6: 5 of 10
  });
  it('does not call versions present on the first day releases', () => {
    assert.deepEqual(upgradeSpeed([{ bucket: day(0), version: '2.0.0', servers: 3 }]), []);
  });
  it('leaves shares unknown where the data does not reach', () => {
    const [r] = upgradeSpeed([{ bucket: day(0), version: '1.0', servers: 2 }, { bucket: day(1), version: '1.1', servers: 1 }, { bucket: day(1), version: '1.0', servers: 1 }]);
    assert.deepEqual([r!.after7, r!.after30, r!.daysToHalf], [null, null, 0]);
  });
});

describe('upgradeSpeed with a floor of servers', () => {
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
  it('takes no lone made-up version for a release, and keeps a real one first seen on one server', () => {
    const points = [
      { bucket: day(0), version: '1.0.0', servers: 4 },
      // 1.1.0 appears on one server, then two; 99.0.0 only ever on one.
      { bucket: day(1), version: '1.0.0', servers: 3 }, { bucket: day(1), version: '1.1.0', servers: 1 },
      { bucket: day(2), version: '1.0.0', servers: 1 }, { bucket: day(2), version: '1.1.0', servers: 2 }, { bucket: day(2), version: '99.0.0', servers: 1 },
    ];
    assert.deepEqual(upgradeSpeed(points).map((r) => r.version), ['99.0.0', '1.1.0']);
    const [r, ...rest] = upgradeSpeed(points, 6, 2);
    assert.deepEqual([r!.version, r!.firstSeen, r!.daysToHalf, rest.length], ['1.1.0', day(1), 1, 0]);
  });
});
