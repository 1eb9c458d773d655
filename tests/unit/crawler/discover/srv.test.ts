import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretSrv, orderSrv, srvName } from '../../../../crawler/discover/srv.ts';
import type { SrvRecord } from '../../../../crawler/net/dns.ts';

const r = (priority: number, weight: number, target: string, port = 5222): SrvRecord => ({ priority, weight, port, target });

/** A deterministic "random" source returning the given values in turn. */
const seq = (...values: number[]) => () => values.shift() ?? 0;

test('srvName builds the owner name', () => {
  assert.equal(srvName('xmpp-client', 'example.org'), '_xmpp-client._tcp.example.org');
  assert.equal(srvName('matrix-fed', 'example.org.'), '_matrix-fed._tcp.example.org');
});

test('lower priority always comes first, whatever the weights', () => {
  const order = orderSrv([r(20, 100, 'c'), r(10, 0, 'a'), r(30, 5, 'd'), r(10, 0, 'b')], () => 0.99);
  assert.deepEqual(order.map((x) => x.priority), [10, 10, 20, 30]);
});

test('weighted selection follows the running sums of RFC 2782', () => {
  const records = [r(0, 10, 'ten'), r(0, 30, 'thirty'), r(0, 60, 'sixty')];
  // total 100; pick = floor(0.5 * 101) = 50 -> running sums 10, 40, 100 -> "sixty"
  // then total 40; pick = floor(0 * 41) = 0 -> running 10 >= 0 -> "ten"; then "thirty".
  assert.deepEqual(orderSrv(records, seq(0.5, 0)).map((x) => x.target), ['sixty', 'ten', 'thirty']);
  // pick = floor(0.2 * 101) = 20 -> "thirty" first
  assert.equal(orderSrv(records, seq(0.2, 0))[0]?.target, 'thirty');
});

test('weight-0 records are placed first, so a zero pick selects them', () => {
  const order = orderSrv([r(0, 50, 'heavy'), r(0, 0, 'zero')], seq(0, 0));
  assert.deepEqual(order.map((x) => x.target), ['zero', 'heavy']);
});

test('over many draws a 3:1 weight split is respected roughly', () => {
  let seed = 42;
  const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let first = 0;
  for (let i = 0; i < 4000; i++) if (orderSrv([r(0, 75, 'a'), r(0, 25, 'b')], lcg)[0]?.target === 'a') first++;
  assert.ok(first > 2700 && first < 3300, `a chosen first ${first}/4000 times`);
});

test('no records: absent (fall back to A/AAAA)', () => {
  assert.deepEqual(interpretSrv([]), { kind: 'absent' });
});

test('a lone "." target means the service is not offered', () => {
  assert.deepEqual(interpretSrv([r(0, 0, '.', 0)]), { kind: 'not-offered' });
});

test('a "." among real targets is dropped, the rest are used', () => {
  const out = interpretSrv([r(0, 0, '.'), r(5, 0, 'xmpp.example.org')]);
  assert.equal(out.kind, 'targets');
  assert.deepEqual(out.kind === 'targets' ? out.targets.map((t) => t.target) : [], ['xmpp.example.org']);
});
