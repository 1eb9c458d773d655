/**
 * The view model of /choose (site/lib/pages/load-guide.ts, site/lib/guide-row-view.ts) and the published
 * rubric (site/lib/guide-rubric.ts), over entries graded by the guide itself
 * (guide/query.ts buildEntries) from facts of the GuideFacts contract
 * (tests/unit/guide/guide-entries.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildEntries, guideQuerySchema, queryGuide } from '../../../guide/query.ts';
import { CRITERIA, GRADE_RULES, RUBRIC } from '../../../guide/rubric.ts';
import { guideView } from '../../../site/lib/pages/load-guide.ts';
import { guideRowView, measuredWords } from '../../../site/lib/guide-row-view.ts';
import { rubricView } from '../../../site/lib/guide-rubric.ts';
import { ago, entry, facts, NOW } from '../guide/guide-entries.ts';

const factOf = (row: ReturnType<typeof guideRowView>, key: string) => row.facts.find((x) => x.key === key)!;

describe('guideRowView', () => {
  it('shows an unknown fact as "unknown", with why, and its criterion as unknown, never as a miss', () => {
    const row = guideRowView(entry(facts('matrix', { ipv6: null, uptime30: { ok: 40, probes: 40, days: 2 }, tlsValid: null, tlsExpiresAt: null, version: '', software: 'unknown' })), NOW);
    for (const key of ['ipv6', 'uptime30', 'tls', 'version', 'contact']) {
      const f = factOf(row, key);
      assert.equal(f.value, 'unknown', key);
      assert.equal(f.known, false, key);
    }
    assert.match(factOf(row, 'uptime30').note!, /Measured on 2 days so far; known after 7 days/);
    assert.equal(factOf(row, 'ipv6').measured, 'last checked 12 hours ago', 'a setup probe ran and did not tell');
    for (const id of ['ipv6', 'uptime', 'tls', 'current', 'contact']) {
      const r = row.reasons.find((x) => x.id === id)!;
      assert.equal(r.verdict, 'unknown', id);
      assert.equal(r.fix, null, id);
      assert.equal(r.fixHref, null, id);
    }
    assert.equal(row.grade, 'A', 'unknowns do not lower the grade');
    assert.equal(row.measuredLine, '0 of 5 criteria measured');
  });

  it('a miss carries its fix and a link to the health report of that protocol on the server page', () => {
    const row = guideRowView(entry(facts('xmpp', { domain: 'chat.example', ipv6: false, tlsExpiresAt: ago(-5) })), NOW);
    const tls = row.reasons.find((r) => r.id === 'tls')!;
    assert.equal(tls.verdict, 'missed');
    assert.match(tls.fix!, /Renew the certificate/);
    assert.equal(tls.fixHref, '/servers/chat.example#health-xmpp');
    assert.equal(row.healthHref, '/servers/chat.example#health-xmpp');
    assert.equal(factOf(row, 'tls').value, 'valid, 5 days left');
    const met = row.reasons.find((r) => r.id === 'uptime')!;
    assert.equal(met.verdict, 'met');
    assert.equal(met.fix, null);
    assert.equal(row.grade, 'B');
    assert.equal(row.reasons.find((r) => r.id === 'ipv6')!.verdictLabel, 'missed');
  });

  it('shows the verified admin\'s own words apart from the measured facts, and they change no grade', () => {
    const plain = guideRowView(entry(facts('xmpp', { ipv6: false })), NOW);
    const noted = guideRowView(entry(facts('xmpp', { ipv6: false, adminNote: 'IPv6 arrives with our new host in March.' })), NOW);
    assert.equal(plain.adminNote, null);
    assert.equal(noted.adminNote, 'IPv6 arrives with our new host in March.');
    assert.equal(noted.grade, plain.grade);
    assert.deepEqual(noted.reasons.map((r) => r.verdict), plain.reasons.map((r) => r.verdict));
    assert.ok(!noted.facts.some((x) => x.value.includes('March')), 'not presented as a measured fact');
  });

  it('every value names its source and when it was measured', () => {
    const row = guideRowView(entry(facts('xmpp')), NOW);
    assert.deepEqual(row.facts.map((f) => f.key), ['signup', 'uptime30', 'uptime90', 'tls', 'version', 'ipv6', 'dnssec', 'dane', 'upload', 'first-seen', 'rooms', 'provider', 'contact']);
    for (const f of row.facts) {
      assert.ok(f.source.length > 10, f.key);
      assert.match(f.measured, f.known ? /^measured \d+ (minute|hour|day)s? ago$/ : /^(last checked \d+ (minute|hour|day)s? ago|not measured yet)$/, f.key);
    }
    assert.equal(factOf(row, 'ipv6').measuredAt, ago(0.5), 'IPv6 is a setup fact');
    assert.equal(factOf(row, 'ipv6').measured, 'measured 12 hours ago');
    assert.equal(factOf(row, 'ipv6').measuredTime, '2026-12-01 00:00 UTC');
    assert.equal(factOf(row, 'upload').value, '105 MB');
    assert.equal(factOf(row, 'uptime30').value, '99.7%');
    assert.equal(factOf(row, 'first-seen').value, '2025-10-27 (400 days ago)');
    assert.equal(factOf(row, 'signup').value, 'Open: in the app (XEP-0077)');
    // Matrix has no DNSSEC, DANE, upload or provider file rows, and reads sign-up from the registration request.
    const matrix = guideRowView(entry(facts('matrix')), NOW);
    assert.deepEqual(matrix.facts.map((f) => f.key), ['signup', 'uptime30', 'uptime90', 'tls', 'version', 'ipv6', 'first-seen', 'rooms', 'contact']);
    assert.equal(factOf(matrix, 'signup').measuredAt, ago(3));
  });

  it('states what the provider file says, and links only http(s) URLs from it', () => {
    const provider = {
      legalNotice: 'javascript:alert(1)', website: 'https://chat.example/about', organization: '<b>Org</b>', freeOfCharge: true, professionalHosting: null,
      since: '2019-03-01', serverLocations: [], busFactor: null, inBandRegistration: true, registrationWebPage: null, passwordReset: null, maxUploadBytes: null,
    };
    const row = guideRowView(entry(facts('xmpp', { offer: { provider, support: null, contacts: { admin: ['xmpp:admin@chat.example'] } } })), NOW);
    const p = factOf(row, 'provider');
    assert.equal(p.value, 'free of charge: yes · professional hosting: not stated · legal notice: yes · since 2019-03-01 · run by <b>Org</b>');
    assert.deepEqual(p.links, [{ label: 'Website', href: 'https://chat.example/about' }]);
    assert.equal(factOf(row, 'contact').value, 'admin: xmpp:admin@chat.example');
    const absent = guideRowView(entry(facts('xmpp', { offer: { provider: 'absent', support: null, contacts: {} } })), NOW);
    assert.equal(factOf(absent, 'provider').value, 'none published');
    assert.equal(factOf(absent, 'contact').value, 'none published');
  });

  it('says how far behind a superseded version is', () => {
    const row = guideRowView(entry(facts('matrix', { version: '1.120.2', supersededOn: ago(200).slice(0, 10), latestVersion: '1.163.2' })), NOW);
    assert.equal(factOf(row, 'version').value, 'Synapse 1.120.2, superseded 200 days ago');
    assert.match(factOf(row, 'version').note!, /Newest seen: 1\.163\.2/);
    assert.equal(row.reasons.find((r) => r.id === 'current')!.verdict, 'missed');
  });
});

describe('guideView', () => {
  const entries = buildEntries([
    facts('xmpp', { domain: 'a.example' }), facts('xmpp', { domain: 'b.example' }), facts('xmpp', { domain: 'c.example' }),
    facts('xmpp', { domain: 'new.example', uptime30: { ok: 24, probes: 24, days: 1 } }),
    facts('matrix', { domain: 'm.example' }),
  ], NOW);

  it('counts the servers left out only for an unknown fact, and pages with the same filters', () => {
    const url = new URL('http://x/choose?protocol=xmpp&uptime30=99&signup=&limit=2');
    const query = guideQuerySchema.parse({ protocol: 'xmpp', uptime30: '99', limit: '2' });
    const v = guideView(queryGuide(entries, query), query, url, NOW);
    assert.equal(v.total, 3);
    assert.equal(v.unknownExcluded, 1);
    assert.equal(v.summary, '3 servers match.');
    assert.match(v.leftOut!, /^1 more was left out only because a fact you filtered on is not known for it yet/);
    assert.deepEqual(v.rows.map((r) => r.domain), ['a.example', 'b.example']);
    assert.ok(v.nextHref);
    const next = new URL(v.nextHref!, 'http://x');
    assert.equal(next.pathname, '/choose');
    assert.equal(next.searchParams.get('protocol'), 'xmpp');
    assert.equal(next.searchParams.get('uptime30'), '99');
    assert.equal(v.firstHref, null);
    // The API link leaves blank fields out (the API judges `signup=` as a value).
    assert.equal(v.apiHref, '/api/v1/guide?protocol=xmpp&uptime30=99&limit=2');
    assert.deepEqual(v.form, { protocol: 'xmpp', uptime30: '99', limit: '2' });

    const q2 = guideQuerySchema.parse({ protocol: 'xmpp', uptime30: '99', limit: '2', cursor: next.searchParams.get('cursor')! });
    const page2 = guideView(queryGuide(entries, q2), q2, next, NOW);
    assert.deepEqual(page2.rows.map((r) => r.domain), ['c.example']);
    assert.equal(page2.nextHref, null);
    assert.equal(page2.firstHref, '/choose?protocol=xmpp&uptime30=99&signup=&limit=2');
  });

  it('no left-out line when nothing was unknown', () => {
    const query = guideQuerySchema.parse({});
    const v = guideView(queryGuide(entries, query), query, new URL('http://x/choose'), NOW);
    assert.equal(v.total, 5);
    assert.equal(v.leftOut, null);
    assert.equal(v.apiHref, '/api/v1/guide');
  });
});

describe('the published rubric', () => {
  it('is read from guide/rubric.ts: every criterion, every threshold, every grade rule', () => {
    const r = rubricView();
    assert.deepEqual(r.criteria.map((c) => c.id), CRITERIA.map((c) => c.id));
    assert.equal(r.criteria.find((c) => c.id === 'dnssec')!.appliesTo, 'XMPP only');
    assert.deepEqual(r.thresholds.map((t) => t.key), Object.keys(RUBRIC));
    assert.equal(r.thresholds.find((t) => t.key === 'tlsMinDays')!.value, `${RUBRIC.tlsMinDays} days`);
    assert.equal(r.thresholds.find((t) => t.key === 'uptimeGood')!.value, `${RUBRIC.uptimeGood * 100}% or more`);
    assert.deepEqual(r.grades, [{ grade: 'A', rule: GRADE_RULES.A }, { grade: 'B', rule: GRADE_RULES.B }, { grade: 'C', rule: GRADE_RULES.C }]);
    assert.ok(r.principles.some((p) => /Unknown is never a miss/.test(p)));
    assert.ok(r.principles.some((p) => /no manual overrides/.test(p)));
  });
});

describe('measuredWords', () => {
  it('measuredWords', () => {
    assert.equal(measuredWords(null, NOW), 'not measured yet');
    assert.equal(measuredWords(ago(3), NOW), 'measured 3 days ago');
    assert.equal(measuredWords(ago(3), NOW, false), 'last checked 3 days ago', 'looked for but not known');
  });
});
