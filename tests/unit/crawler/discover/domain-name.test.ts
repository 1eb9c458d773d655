import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDomain, DEFAULT_RESERVED_TLDS, DOMAIN_NAME_PATTERN } from '../../../../crawler/discover/domain-name.ts';

// input, options, expected domain or refusal reason
const cases: Array<[string, Parameters<typeof normaliseDomain>[1], string]> = [
  ['Matrix.ORG', {}, 'matrix.org'],
  ['matrix.org.', {}, 'matrix.org'],
  ['  jabber.org  ', {}, 'jabber.org'],
  ['Bücher.de', {}, 'xn--bcher-kva.de'],
  ['xn--bcher-kva.de', {}, 'xn--bcher-kva.de'],
  ['ÄÖ.DE', {}, 'xn--4ca0b.de'],
  ['例え.jp', {}, 'xn--r8jz45g.jp'],
  ['https://Matrix.org:8448/_matrix/federation/v1/version', {}, 'matrix.org'],
  ['https://user:pw@chat.example.net.eu/x', {}, 'chat.example.net.eu'],
  ['matrix.org:8448', {}, 'matrix.org'],
  ['@alice:matrix.org', {}, 'matrix.org'],
  ['@alice:matrix.org:8448', {}, 'matrix.org'],
  ['#room:Tchncs.de', {}, 'tchncs.de'],
  ['!abcdef:envs.net', {}, 'envs.net'],
  ['user@Jabber.org/Resource/with/slash', {}, 'jabber.org'],
  ['room@conference.jabber.org', {}, 'conference.jabber.org'],
  ['xmpp:room@muc.movim.eu?join', {}, 'muc.movim.eu'],
  ['', {}, 'empty'],
  ['   ', {}, 'empty'],
  ['.', {}, 'empty'],
  ['a..b.org', {}, 'empty-label'],
  ['.matrix.org', {}, 'empty-label'],
  ['-bad.org', {}, 'bad-hyphen'],
  ['bad-.org', {}, 'bad-hyphen'],
  ['a_b.org', {}, 'bad-character'],
  ['ex ample.org', {}, 'bad-character'],
  ['xn--zz.org', {}, 'bad-punycode'],
  [`${'a'.repeat(64)}.org`, {}, 'label-too-long'],
  [`${'a'.repeat(63)}.org`, {}, `${'a'.repeat(63)}.org`],
  [`${'abcdefghi.'.repeat(26)}org`, {}, 'too-long'],
  ['x'.repeat(5000), {}, 'too-long'],
  ['localhost', {}, 'single-label'],
  ['matrix', {}, 'single-label'],
  ['printer.local', {}, 'reserved-tld'],
  ['foo.localhost', {}, 'reserved-tld'],
  ['foo.invalid', {}, 'reserved-tld'],
  ['foo.example', {}, 'reserved-tld'],
  ['hs1.test', {}, 'reserved-tld'],
  ['abc.onion', {}, 'reserved-tld'],
  ['example.com', {}, 'reserved-name'],
  ['chat.example.org', {}, 'reserved-name'],
  ['router.home.arpa', {}, 'reserved-tld'],
  ['1.2.3.4', { protocol: 'xmpp' }, 'ip-literal'],
  ['[2001:db8::1]:5222', { protocol: 'xmpp' }, 'ip-literal'],
  ['1.2.3.4', {}, 'ip-literal'],
  ['1.2.3.4:8448', { protocol: 'matrix' }, '1.2.3.4'],
  ['[2001:DB8::1]:8448', { protocol: 'matrix' }, '[2001:db8::1]'],
  ['[::FFFF:1.2.3.4]', { protocol: 'matrix' }, '[::ffff:1.2.3.4]'],
  ['[fe80::1%eth0]:8448', { protocol: 'matrix' }, 'bad-character'],
  ['1.2.3.04', {}, 'numeric-tld'],
  // tests use .test hosts by configuring the reserved list
  ['HS1.Test', { reservedTlds: DEFAULT_RESERVED_TLDS.filter((t) => t !== 'test') }, 'hs1.test'],
];

for (const [input, options, expected] of cases) {
  test(`normaliseDomain(${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}) -> ${expected.slice(0, 40)}`, () => {
    const r = normaliseDomain(input, options);
    if (expected.includes('.') || expected.startsWith('[')) {
      assert.equal(r.ok, true, JSON.stringify(r));
      if (r.ok) assert.equal(r.domain, expected);
    } else {
      assert.equal(r.ok, false, JSON.stringify(r));
      if (!r.ok) assert.equal(r.reason, expected);
    }
  });
}

test('IDN round trip: the unicode form converts back to the stored ASCII form', () => {
  for (const name of ['münchen.de', 'xn--r8jz45g.jp', 'ΑΒΓ.gr', 'straße.de']) {
    const a = normaliseDomain(name);
    assert.equal(a.ok, true);
    if (!a.ok) continue;
    const b = normaliseDomain(a.unicode);
    assert.equal(b.ok && b.domain, a.domain);
    assert.match(a.domain, /^[a-z0-9.-]+$/);
  }
});

test('a refusal quotes at most 200 characters of the input', () => {
  const r = normaliseDomain(`${'!'.repeat(1000)}.org`);
  assert.equal(r.ok, false);
  if (!r.ok) assert.ok(r.input.length <= 200);
});

test('every normalised domain matches DOMAIN_NAME_PATTERN, the pattern readers validate stored domains with', () => {
  const pattern = new RegExp(DOMAIN_NAME_PATTERN);
  let checked = 0;
  for (const [input, options] of cases) {
    const r = normaliseDomain(input, options);
    if (!r.ok) continue;
    assert.match(r.domain, pattern, input);
    assert.match(r.domain.toUpperCase(), pattern, 'in any letter case');
    checked++;
  }
  assert.ok(checked > 20);
  // What it keeps out: paths, single labels, empty and hyphen-edged labels, underscores, zones, long labels.
  for (const bad of ['../etc/passwd', 'localhost', 'a..b', '-a.org', 'a-.org', 'a_b.org', '[fe80::1%eth0]', `${'a'.repeat(64)}.org`, 'a.org/x', ' a.org']) {
    assert.doesNotMatch(bad, pattern, bad);
  }
});
