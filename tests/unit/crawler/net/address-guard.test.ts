/**
 * The address guard as a table: every built-in refusal of Synapse's
 * DEFAULT_IP_RANGE_BLOCKLIST (synapse/config/server.py) and our additions,
 * public addresses that must pass, and the allow/deny overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbiddenReason, isForbidden } from '../../../../crawler/net/address-guard.ts';

const refused: Array<[string, string]> = [
  ['0.0.0.0', 'this-network'],
  ['0.1.2.3', 'this-network'],
  ['10.0.0.1', 'private'],
  ['100.64.0.1', 'carrier-grade-nat'],
  ['100.127.255.254', 'carrier-grade-nat'],
  ['127.0.0.1', 'loopback'],
  ['127.66.0.5', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'ietf-protocol-assignments'],
  ['192.0.2.1', 'documentation'],
  ['192.88.99.1', '6to4-relay'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['2001:10::1', 'orchid'],
  ['2001:20::1', 'orchid'],
  ['100::1', 'discard-only'],
  ['64:ff9b:1::1', 'nat64-local'],
  ['::ffff:127.0.0.1', 'loopback'], // IPv4-mapped: judged as its IPv4 address
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:7f00:1', 'loopback'],
  ['::127.0.0.1', 'loopback'], // IPv4-compatible (deprecated)
  ['64:ff9b::10.0.0.1', 'embedded-private'], // NAT64 well-known prefix
  ['64:ff9b::7f00:1', 'embedded-loopback'],
  ['2002:c0a8:0101::1', 'embedded-private'], // 6to4 of 192.168.1.1
  ['2002:7f00:0001::', 'embedded-loopback'],
  ['2001:0:a00:1::1', 'embedded-private'], // Teredo server 10.0.0.1
  ['2001:0:0808:0808::f5ff:fffe', 'embedded-private'], // Teredo client 10.0.0.1 (XOR-obfuscated)
  ['4000::1', 'reserved'], // outside 2000::/3
  ['::2:1', 'this-network'], // IPv4-compatible 0.2.0.1
  ['fe80::1%eth0', 'not-an-ip-literal'], // zone ids refused
  ['localhost', 'not-an-ip-literal'],
  ['2130706433', 'not-an-ip-literal'], // decimal IPv4 forms are not accepted
  ['0x7f.1', 'not-an-ip-literal'],
  ['', 'not-an-ip-literal'],
];

const allowed = ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.1', '172.15.255.255', '172.32.0.1', '192.169.0.1',
  '2606:4700::1111', '2a01:4f8::1', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:0808:0808::1', '2001:0:0808:0808::f7f7:f7f7', '3fff::1'];

for (const [ip, why] of refused) {
  test(`refuses ${JSON.stringify(ip)} as ${why}`, () => {
    assert.equal(forbiddenReason(ip), why);
    assert.equal(isForbidden(ip), true);
  });
}

for (const ip of allowed) {
  test(`allows public ${ip}`, () => {
    assert.equal(forbiddenReason(ip), null);
    assert.equal(isForbidden(ip), false);
  });
}

const overrides: Array<[string, { allow?: string[]; deny?: string[] }, string | null]> = [
  ['127.10.0.1', { allow: ['127.0.0.0/8'] }, null],
  ['127.66.0.5', { allow: ['127.0.0.0/8'], deny: ['127.66.0.0/16'] }, 'denied-by-config'],
  ['::ffff:127.66.0.5', { allow: ['127.0.0.0/8'], deny: ['127.66.0.0/16'] }, 'denied-by-config'],
  ['::ffff:127.10.0.1', { allow: ['127.0.0.0/8'] }, null],
  ['64:ff9b::7f0a:1', { allow: ['127.0.0.0/8'] }, null], // embedded 127.10.0.1 allowed
  ['64:ff9b::7f42:5', { allow: ['127.0.0.0/8'], deny: ['127.66.0.0/16'] }, 'embedded-denied-by-config'],
  ['10.0.0.1', { allow: ['127.0.0.0/8'] }, 'private'],
  ['8.8.8.8', { deny: ['8.8.8.0/24'] }, 'denied-by-config'],
  ['8.8.8.8', { allow: ['8.8.8.0/24'], deny: ['8.0.0.0/8'] }, 'denied-by-config'], // deny wins
  ['::1', { allow: ['::1/128'] }, null],
  ['::1', { allow: ['127.0.0.0/8'] }, 'loopback'], // an IPv4 allow does not open IPv6 loopback
  ['2606:4700::1', { deny: ['2606:4700::/32'] }, 'denied-by-config'],
];

for (const [ip, nets, why] of overrides) {
  test(`${ip} with ${JSON.stringify(nets)} -> ${why ?? 'allowed'}`, () => {
    assert.equal(forbiddenReason(ip, nets), why);
  });
}

/**
 * Every range of Synapse's DEFAULT_IP_RANGE_BLOCKLIST, copied from
 * synapse/config/server.py (matrix-synapse 1.163.2, as installed in
 * /opt/chatlas-synapse, lines 143-177): its first and last address, and the
 * IPv4-mapped and 6to4 forms Synapse's generate_ip_set() adds, are refused.
 */
const SYNAPSE_DEFAULT_IP_RANGE_BLOCKLIST = [
  '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '192.0.0.0/24', '169.254.0.0/16',
  '192.88.99.0/24', '198.18.0.0/15', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4',
  '::1/128', 'fe80::/10', 'fc00::/7', '2001:db8::/32', 'ff00::/8', 'fec0::/10',
];

function edges(cidr: string): [string, string] {
  const [net, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  if (net.includes(':')) {
    const full = ipv6Hex(net);
    const first = BigInt(`0x${full}`) & (((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n));
    const last = first | ((1n << BigInt(128 - bits)) - 1n);
    const fmt = (n: bigint) => n.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
    return [fmt(first), fmt(last)];
  }
  const n = net.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - bits);
  const fmt = (x: number) => [24, 16, 8, 0].map((s) => Math.floor(x / 2 ** s) % 256).join('.');
  return [fmt(n - (n % size)), fmt(n - (n % size) + size - 1)];
}

function ipv6Hex(addr: string): string {
  const [head, tail = ''] = addr.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.padStart(4, '0')).join('');
}

for (const cidr of SYNAPSE_DEFAULT_IP_RANGE_BLOCKLIST) {
  test(`Synapse blocklist ${cidr}: first and last address refused (and mapped/6to4 forms for IPv4)`, () => {
    for (const ip of edges(cidr)) {
      assert.equal(isForbidden(ip), true, ip);
      if (!ip.includes(':')) {
        assert.equal(isForbidden(`::ffff:${ip}`), true, `::ffff:${ip}`);
        const hex = ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
        assert.equal(isForbidden(`2002:${hex.slice(0, 4)}:${hex.slice(4)}::1`), true, `6to4 of ${ip}`);
      }
    }
  });
}
