import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registrableDomain } from '../../../registration/registrable-domain.ts';
import { normaliseDomain } from '../../../crawler/discover/domain-name.ts';
import { TEST_DOMAIN_RULES } from '../../harness/domain-rules.ts';

test('domains are lower-cased, the final dot dropped, IDNs turned into punycode', () => {
  assert.deepEqual(registrableDomain('  Chat.Jabber.ORG. '), { ok: true, domain: 'chat.jabber.org' });
  assert.deepEqual(registrableDomain('bücher.beispiel.de'), { ok: true, domain: 'xn--bcher-kva.beispiel.de' });
  assert.deepEqual(registrableDomain('reg-ok.test', TEST_DOMAIN_RULES), { ok: true, domain: 'reg-ok.test' });
});

const refused: Array<[string, RegExp]> = [
  ['', /empty/],
  ['https://matrix.org/', /bare domain/],
  ['user@jabber.org', /bare domain/],
  ['matrix.org:8448', /bare domain/],
  ['127.0.0.1', /IP address/],
  ['[::1]', /IP address/],
  ['localhost', /two labels/],
  ['foo.localhost', /not public/],
  ['printer.local', /not public/],
  ['x.onion', /not public/],
  ['1.2.3.4.in-addr.arpa', /not public/],
  ['-bad.org', /hyphen/],
  ['bad_.org', /letters, digits/],
  ['a..b.org', /1 to 63/],
  [`${'a'.repeat(64)}.org`, /1 to 63/],
  [`${'a.'.repeat(130)}org`, /253/],
  ['example.123', /all digits|letters, digits/],
  ['<script>.org', /letters, digits/],
  // Registration used to accept these four, which the frontier then refused (issue 13):
  ['chat.example.com', /reserved/],
  ['srv.alt', /not public/],
  ['box.localdomain', /not public/],
  ['xn--x.de', /punycode/],
  ['reg-ok.test', /not public/],
];

for (const [input, reason] of refused) {
  test(`refuses ${JSON.stringify(input.slice(0, 40))}`, () => {
    const r = registrableDomain(input);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  });
}

test('a domain is registrable exactly when the frontier keeps it (one rule set)', () => {
  const names = ['matrix.org', 'Chat.Example.ORG', 'chat.example.com', 'srv.alt', 'xn--x.de', 'bücher.de', 'a.test', 'x.onion',
    'example.123', 'ex-.org', 'one', 'in-addr.arpa', 'home.arpa', 'b.home.arpa', 'xn--bcher-kva.de', 'jabber.ccc.de'];
  for (const rules of [{}, TEST_DOMAIN_RULES]) {
    for (const name of names) {
      const frontier = normaliseDomain(name, rules);
      const registration = registrableDomain(name, rules);
      assert.equal(registration.ok, frontier.ok, `${name}: registration ${registration.ok}, frontier ${frontier.ok}`);
      if (registration.ok && frontier.ok) assert.equal(registration.domain, frontier.domain);
    }
  }
});
