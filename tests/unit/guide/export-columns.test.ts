/** The guide's columns of the server exports (guide/export-columns.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CRITERIA } from '../../../guide/rubric.ts';
import { GUIDE_EXPORT_COLUMN_DOCS, GUIDE_EXPORT_COLUMNS, guideExportColumns, withGuideColumns } from '../../../guide/export-columns.ts';
import { entry, facts } from './guide-entries.ts';

describe('guide export columns', () => {
  it('one column per criterion of the rubric, each documented', () => {
    assert.deepEqual(GUIDE_EXPORT_COLUMNS.filter((c) => c.startsWith('criterion_')), CRITERIA.map((c) => `criterion_${c.id}`));
    assert.deepEqual([...GUIDE_EXPORT_COLUMNS].sort(), Object.keys(GUIDE_EXPORT_COLUMN_DOCS).sort());
    assert.deepEqual(Object.keys(guideExportColumns(undefined)).sort(), [...GUIDE_EXPORT_COLUMNS].sort());
  });

  it('empty where the guide does not list the server or the criterion does not apply; unknown says so', () => {
    assert.ok(Object.values(guideExportColumns(undefined)).every((v) => v === null));
    const x = guideExportColumns(entry(facts('xmpp', { ipv6: false, offer: { provider: null, support: null, contacts: null } })));
    assert.equal(x.grade, 'A');
    assert.equal(x.criterion_ipv6, 'missed');
    assert.equal(x.criterion_dnssec, 'met');
    assert.equal(x.criterion_contact, 'unknown');
    assert.equal(x.criteria_measured, 5);
    assert.equal(x.criteria_applicable, 6);
    assert.equal(x.uptime30, 0.9972, 'rounded to 4 decimals');
    assert.equal(x.signup_class, 'open');
    assert.equal(x.signup_way, 'in-band');
    assert.equal(x.upload_max_bytes, 104_857_600);
    const m = guideExportColumns(entry(facts('matrix', { uptime30: { ok: 5, probes: 5, days: 2 } })));
    assert.equal(m.criterion_dnssec, null, 'does not apply to Matrix');
    assert.equal(m.criteria_applicable, 5);
    assert.equal(m.uptime30, null, 'not known yet: empty, never 0');
    assert.equal(m.criterion_uptime, 'unknown');
  });

  it('appends the columns to each streamed row by protocol and domain', async () => {
    let finished = false;
    async function* rows() {
      try {
        yield { protocol: 'xmpp', domain: 'xmpp.example', status: 'ok' };
        yield { protocol: 'matrix', domain: 'xmpp.example', status: 'ok' };
        yield { protocol: 'matrix', domain: 'other.example', status: 'ok' };
      } finally {
        finished = true;
      }
    }
    const out = [];
    for await (const r of withGuideColumns(rows(), [entry(facts('xmpp'))])) out.push(r);
    assert.deepEqual(out.map((r) => [r.protocol, r.domain, r.status, r.grade]), [
      ['xmpp', 'xmpp.example', 'ok', 'A'], ['matrix', 'xmpp.example', 'ok', null], ['matrix', 'other.example', 'ok', null],
    ]);
    // A reader that stops early (a client gone) ends the store's stream too.
    finished = false;
    const it = withGuideColumns(rows(), []);
    await it.next();
    await it.return(undefined);
    assert.equal(finished, true);
  });
});
