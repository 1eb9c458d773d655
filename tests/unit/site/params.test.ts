import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStep, domainSchema, parseQuery, rangeDays, roomSearchParams, serverListParams } from '../../../site/lib/params.ts';
import { rangeWindow } from '../../../site/lib/range-window.ts';

describe('parseQuery', () => {
  it('applies defaults and coerces numbers', () => {
    const r = parseQuery(roomSearchParams, new URLSearchParams('q=linux&page=2&minMembers=10'));
    assert.ok(r.ok);
    assert.deepEqual(r.value, { q: 'linux', page: 2, minMembers: 10, type: 'all', limit: 25 });
  });
  it('treats empty form fields as absent, trims what a form sends and keeps the first of repeated keys', () => {
    const r = parseQuery(serverListParams, new URLSearchParams('software=&protocol=xmpp&protocol=matrix&q=%20linux%20&version=%201.2%20'));
    assert.ok(r.ok);
    assert.equal(r.value.software, undefined);
    assert.equal(r.value.protocol, 'xmpp');
    assert.equal(r.value.q, 'linux');
    assert.equal(r.value.version, '1.2');
    const blank = parseQuery(roomSearchParams, new URLSearchParams('server=%20%20&language=EN'));
    assert.ok(blank.ok);
    assert.equal(blank.value.server, undefined);
    assert.equal(blank.value.language, 'en');
  });
  it('names the bad field instead of failing later', () => {
    const r = parseQuery(serverListParams, new URLSearchParams('sort=drop table&limit=5000'));
    assert.ok(!r.ok);
    assert.deepEqual(r.issues.map((i) => i.field).sort(), ['limit', 'sort']);
  });
  it('caps free text', () => {
    assert.ok(!parseQuery(roomSearchParams, new URLSearchParams(`q=${'a'.repeat(201)}`)).ok);
  });
  it('normalises and validates domains', () => {
    assert.equal(domainSchema.parse('Matrix.ORG'), 'matrix.org');
    assert.ok(!domainSchema.safeParse('../etc/passwd').success);
    assert.ok(!domainSchema.safeParse('a..b').success);
    // What the crawler stores is what can be asked for: IPv4 and bracketed IPv6 literals (Matrix), IDNA forms.
    for (const d of ['1.2.3.4', '[2001:db8::1]', 'xn--bcher-kva.de', `${'a'.repeat(63)}.org`]) assert.ok(domainSchema.safeParse(d).success, d);
    // Nothing the normaliser never writes: single labels, underscores, padding, overlong labels.
    for (const d of ['localhost', '_srv.a.org', ' a.org', `${'a'.repeat(64)}.org`, `${'a.'.repeat(127)}org`]) assert.ok(!domainSchema.safeParse(d).success, d);
  });
});

describe('ranges', () => {
  it('maps ranges to days and steps', () => {
    assert.deepEqual([rangeDays('30d'), rangeDays('1y'), rangeDays('all')], [30, 365, null]);
    assert.deepEqual([defaultStep('90d'), defaultStep('1y'), defaultStep('all')], ['day', 'week', 'month']);
  });
  it('builds an inclusive day window ending today', () => {
    assert.deepEqual(rangeWindow('30d', new Date('2026-11-30T15:00:00Z')), { from: '2026-11-01', to: '2026-11-30', step: 'day' });
    assert.equal(rangeWindow('all', new Date('2026-11-30T15:00:00Z')).from, '2024-01-01');
  });
});
