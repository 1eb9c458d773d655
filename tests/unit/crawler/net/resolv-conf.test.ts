import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf } from '../../../../crawler/net/resolv-conf.ts';

test('nameserver lines only, comments stripped, at most 3, scoped and bad addresses skipped', () => {
  const text = [
    '# generated', 'search example.org', 'nameserver 10.0.0.2 # office', ';nameserver 9.9.9.9',
    'nameserver fe80::1%eth0', 'nameserver not-an-ip', 'nameserver 2001:db8::53', 'options ndots:2',
    'nameserver 127.0.0.53', 'nameserver 1.1.1.1',
  ].join('\n');
  assert.deepEqual(parseResolvConf(text), [
    { host: '10.0.0.2', port: 53 }, { host: '2001:db8::53', port: 53 }, { host: '127.0.0.53', port: 53 },
  ]);
  assert.deepEqual(parseResolvConf(''), []);
});
