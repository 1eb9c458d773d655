/**
 * guide/query.ts: filters need a known fact (and count the servers left out
 * only for not knowing it), sorts put unknown last, paging walks the whole
 * answer once, and the per-list sort cache never serves one list's order for
 * another's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildEntries, guideQuerySchema, InvalidGuideCursorError, queryGuide } from '../../../guide/query.ts';
import { UNKNOWN_OFFER, type Protocol } from '../../../crawler/types.ts';
import type { GuideFacts } from '../../../db/queries/guide/guide-facts.ts';

const NOW = new Date('2026-12-01T12:00:00Z');

function facts(domain: string, protocol: Protocol, over: Partial<GuideFacts> = {}): GuideFacts {
  return {
    protocol, domain, status: 'ok', observedAt: NOW.toISOString(), lastOkAt: NOW.toISOString(), firstSeenAt: '2026-01-01T00:00:00Z',
    software: 'prosody', version: '1.0.0', supersededOn: null, latestVersion: '1.0.0', registration: 'advertised', features: ['urn:xmpp:mam:2'],
    tlsValid: true, tlsExpiresAt: '2027-03-01T00:00:00Z', ipv4: true, ipv6: true, dnssec: null, dane: null, publicRooms: 1, publicMembers: 10,
    uploadMaxBytes: null, offer: UNKNOWN_OFFER, uptime30: { ok: 100, probes: 100, days: 30 }, uptime90: { ok: 300, probes: 300, days: 90 }, adminNote: null, measuredAt: {},
    ...over,
  };
}

const q = (raw: Record<string, string>) => guideQuerySchema.parse(raw);

const LIST = buildEntries([
  facts('a.example', 'xmpp', { uptime30: { ok: 995, probes: 1000, days: 30 }, publicMembers: 5 }),
  facts('b.example', 'xmpp', { uptime30: { ok: 980, probes: 1000, days: 30 } }),
  facts('c.example', 'xmpp', { uptime30: { ok: 3, probes: 3, days: 3 } }),
  facts('d.example', 'xmpp', { status: 'unreachable' }),
  facts('e.example', 'xmpp', { registration: 'invite' }),
  facts('m.example', 'matrix', { registration: 'open', uploadMaxBytes: null, publicMembers: 500 }),
  facts('n.example', 'matrix', { registration: 'token', tlsValid: false }),
], NOW);

const domains = (rows: { facts: GuideFacts }[]) => rows.map((r) => r.facts.domain);

describe('queryGuide', () => {
  it('"XMPP, open sign-up, uptime >= 99%": the servers that meet it, and the one not yet known counted apart', () => {
    const page = queryGuide(LIST, q({ protocol: 'xmpp', signup: 'open', uptime30: '99' }));
    assert.deepEqual(domains(page.rows).sort(), ['a.example']);
    assert.equal(page.unknownExcluded, 1, 'c.example: 3 days measured');
    assert.equal(page.total, 1);
  });

  it('leaves servers down now out unless asked', () => {
    assert.ok(!domains(queryGuide(LIST, q({ limit: '500' })).rows).includes('d.example'));
    assert.ok(domains(queryGuide(LIST, q({ down: 'true', limit: '500' })).rows).includes('d.example'));
  });

  it('sorts by grade, then uptime, then members; unknown uptime last within a grade', () => {
    const rows = queryGuide(LIST, q({})).rows;
    const grades = rows.map((r) => r.grade.grade);
    assert.deepEqual(grades, [...grades].sort(), 'grades in order');
    assert.equal(rows.at(-1)?.facts.domain, 'n.example', 'a certificate that does not verify: C, last');
    const a = rows.findIndex((r) => r.facts.domain === 'a.example');
    const c = rows.findIndex((r) => r.facts.domain === 'c.example');
    assert.ok(a < c, 'known uptime before unknown');
  });

  it('sorts by another key without disturbing the first (the cache keeps one order per sort)', () => {
    const byMembers = domains(queryGuide(LIST, q({ sort: 'members' })).rows);
    assert.equal(byMembers[0], 'm.example');
    const byGrade = domains(queryGuide(LIST, q({})).rows);
    assert.equal(byGrade.at(-1), 'n.example');
    assert.notDeepEqual(byMembers, byGrade);
  });

  it('a new list is sorted afresh, never served from another list\'s order', () => {
    const other = buildEntries([facts('z.example', 'xmpp'), facts('y.example', 'xmpp', { publicMembers: 9999 })], NOW);
    assert.deepEqual(domains(queryGuide(other, q({ sort: 'members' })).rows), ['y.example', 'z.example']);
  });

  it('pages through every answer once, and refuses a cursor of another sort', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = queryGuide(LIST, q({ limit: '2', ...(cursor ? { cursor } : {}) }));
      seen.push(...domains(page.rows));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(seen, domains(queryGuide(LIST, q({ limit: '500' })).rows));
    const first = queryGuide(LIST, q({ limit: '2' }));
    assert.throws(() => queryGuide(LIST, q({ sort: 'members', cursor: first.nextCursor! })), InvalidGuideCursorError);
  });

  it('an unknown upload limit does not pass an upload filter, and is counted as unknown', () => {
    const page = queryGuide(LIST, q({ protocol: 'matrix', uploadMb: '10' }));
    assert.equal(page.total, 0);
    assert.equal(page.unknownExcluded, 2);
  });
});
