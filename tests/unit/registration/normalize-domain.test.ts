import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDomain } from '../../../registration/normalize-domain.ts';

test('domains are lower-cased, the final dot dropped, IDNs turned into punycode', () => {
  assert.deepEqual(normalizeDomain('  Chat.Example.ORG. '), { ok: true, domain: 'chat.example.org' });
  assert.deepEqual(normalizeDomain('bücher.example.de'), { ok: true, domain: 'xn--bcher-kva.example.de' });
  assert.deepEqual(normalizeDomain('reg-ok.test'), { ok: true, domain: 'reg-ok.test' });
});

const refused: Array<[string, RegExp]> = [
  ['', /empty/],
  ['https://matrix.org/', /bare domain/],
  ['user@jabber.org', /bare domain/],
  ['matrix.org:8448', /bare domain/],
  ['127.0.0.1', /IP address/],
  ['[::1]', /IP address|bare domain/],
  ['localhost', /two labels/],
  ['foo.localhost', /not public/],
  ['printer.local', /not public/],
  ['x.onion', /not public/],
  ['1.2.3.4.in-addr.arpa', /not public/],
  ['-bad.org', /label/],
  ['bad_.org', /label/],
  ['a..b.org', /1 to 63/],
  [`${'a'.repeat(64)}.org`, /1 to 63/],
  [`${'a.'.repeat(130)}org`, /253/],
  ['example.123', /all digits|IDNA/],
  ['<script>.org', /label|IDNA/],
];

for (const [input, reason] of refused) {
  test(`refuses ${JSON.stringify(input.slice(0, 40))}`, () => {
    const r = normalizeDomain(input);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  });
}
