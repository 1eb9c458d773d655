/**
 * The client address behind trusted proxies (jobs/serve/client-address.ts), and
 * the CHATLAS_TRUSTED_PROXIES field that feeds it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_TRUSTED_PROXIES, parseTrustedProxies, resolveClientAddress } from '../../../../jobs/serve/client-address.ts';
import { loadServerConfig } from '../../../../jobs/config.ts';
import { ConfigError } from '../../../../lib/config-table.ts';

const PROXIES = parseTrustedProxies(['127.60.1.0/24', '10.0.0.1', 'fd00::/8']);

test('empty setting: the peer is the client and the header is never read', () => {
  assert.equal(resolveClientAddress('127.60.1.5', '198.51.100.7', NO_TRUSTED_PROXIES), '127.60.1.5');
  assert.equal(resolveClientAddress('127.60.1.5', '198.51.100.7', parseTrustedProxies([])), '127.60.1.5');
});

test('a table of peers and X-Forwarded-For chains', () => {
  const cases: Array<[peer: string | undefined, header: string | undefined, expected: string | undefined, why: string]> = [
    ['127.60.1.5', '198.51.100.7', '198.51.100.7', 'trusted peer: the hop it appended is the client'],
    ['127.60.2.5', '198.51.100.7', '127.60.2.5', 'untrusted peer: the header is a spoof and ignored'],
    ['127.60.1.5', undefined, '127.60.1.5', 'trusted peer without the header is the client'],
    ['127.60.1.5', '', '127.60.1.5', 'empty header'],
    ['127.60.1.5', '203.0.113.1, 198.51.100.7, 10.0.0.1', '198.51.100.7', 'trusted hops are skipped from the right'],
    ['127.60.1.5', '203.0.113.1,198.51.100.7,127.60.1.9,10.0.0.1', '198.51.100.7', 'several trusted hops, no spaces'],
    ['127.60.1.5', '6.6.6.6, 198.51.100.7', '198.51.100.7', 'what the client wrote left of its own hop is not believed'],
    ['127.60.1.5', '10.0.0.1, 127.60.1.7', '10.0.0.1', 'every hop trusted: the leftmost stands'],
    ['127.60.1.5', '198.51.100.7, bogus', '127.60.1.5', 'malformed last hop: the peer (last trusted hop) stands'],
    ['127.60.1.5', '198.51.100.7, bogus, 10.0.0.1', '10.0.0.1', 'malformed hop mid-chain: the last trusted hop stands'],
    ['127.60.1.5', '198.51.100.7, , 10.0.0.1', '10.0.0.1', 'an empty entry is malformed'],
    ['127.60.1.5', 'unknown', '127.60.1.5', 'obfuscated identifiers are malformed'],
    ['127.60.1.5', '0x7f.1', '127.60.1.5', 'only dotted four-part decimal IPv4'],
    ['127.60.1.5', 'fe80::1%eth0', '127.60.1.5', 'IPv6 zone ids are refused'],
    ['127.60.1.5', '198.51.100.7:4711', '198.51.100.7', 'an IPv4 hop with a port'],
    ['127.60.1.5', '[2001:db8::7]:4711', '2001:db8::7', 'a bracketed IPv6 hop with a port'],
    ['127.60.1.5', '2001:db8::7', '2001:db8::7', 'a bare IPv6 hop'],
    ['fd00::1', '198.51.100.7', '198.51.100.7', 'an IPv6 trusted peer'],
    ['fe00::1', '198.51.100.7', 'fe00::1', 'an IPv6 peer outside the range'],
    ['127.60.1.5', '2001:db8::7, fd12::3', '2001:db8::7', 'an IPv6 trusted hop is skipped'],
    ['::ffff:127.60.1.5', '198.51.100.7', '198.51.100.7', 'an IPv4-mapped peer matches the IPv4 range'],
    ['::ffff:127.0.0.1', '198.51.100.7', '127.0.0.1', 'an IPv4-mapped untrusted peer comes back as IPv4'],
    ['127.60.1.5', '::ffff:10.0.0.1, ::ffff:127.60.1.9', '10.0.0.1', 'IPv4-mapped hops are IPv4: all trusted, leftmost stands'],
    ['127.60.1.5', '198.51.100.7, ::ffff:10.0.0.1', '198.51.100.7', 'a mapped trusted hop is skipped'],
    ['not-an-ip', '198.51.100.7', 'not-an-ip', 'an unparsable peer is returned as it is, never trusted'],
    [undefined, '198.51.100.7', undefined, 'no peer (closed socket)'],
  ];
  for (const [peer, header, expected, why] of cases) {
    assert.equal(resolveClientAddress(peer, header, PROXIES), expected, `${why}: ${peer} / ${header}`);
  }
});

test('repeated X-Forwarded-For headers read as one list, in order', () => {
  assert.equal(resolveClientAddress('127.60.1.5', ['198.51.100.7', '10.0.0.1'], PROXIES), '198.51.100.7');
});

test('IPv4-mapped trusted ranges cover the IPv4 hosts', () => {
  const mapped = parseTrustedProxies(['::ffff:127.0.0.0/104']);
  assert.equal(resolveClientAddress('127.0.0.1', '198.51.100.7', mapped), '198.51.100.7');
  assert.equal(resolveClientAddress('::ffff:127.0.0.1', '198.51.100.7', mapped), '198.51.100.7');
});

test('a bad entry is refused, quoted', () => {
  for (const bad of ['bogus', '10.0.0.0/33', '127.1/8', '10.0.0.0/', 'fd00::/129', 'fe80::1%eth0', '10.0.0.0/8/8', '']) {
    assert.throws(() => parseTrustedProxies([bad]), (error: Error) => error instanceof TypeError && error.message.startsWith(JSON.stringify(bad)), bad);
  }
});

test('CHATLAS_TRUSTED_PROXIES: empty by default, a list, and a bad entry quoted at start', () => {
  assert.deepEqual(loadServerConfig({ env: {} }).trustedProxies, []);
  assert.deepEqual(loadServerConfig({ env: { CHATLAS_TRUSTED_PROXIES: '' } }).trustedProxies, []);
  assert.deepEqual(loadServerConfig({ env: { CHATLAS_TRUSTED_PROXIES: ' 127.0.0.1, 10.0.0.0/8 ,fd00::/8' } }).trustedProxies, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
  assert.deepEqual(loadServerConfig({ flags: { 'trusted-proxies': '::1' } }).trustedProxies, ['::1']);
  assert.throws(() => loadServerConfig({ env: { CHATLAS_TRUSTED_PROXIES: '10.0.0.0/8,10.0.0.300' } }), (error: Error) =>
    error instanceof ConfigError && error.message.includes('CHATLAS_TRUSTED_PROXIES') && error.message.includes('"10.0.0.300" is not an IP address or CIDR'));
});
