/**
 * The guide's rubric (guide/rubric.ts): a server is never graded down for a
 * fact Chatlas does not know (issue 15 "Done when"), checked over every
 * combination of the facts the criteria read, for both protocols; and the
 * published grade rules hold on the examples they name.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CRITERIA, GRADES, gradeOf, gradeServer, RUBRIC, type CriterionId, type Verdict } from '../../../guide/rubric.ts';
import { UNKNOWN_OFFER, type Protocol } from '../../../crawler/types.ts';
import type { GuideFacts } from '../../../db/queries/guide/guide-facts.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const daysFromNow = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();

function base(protocol: Protocol): GuideFacts {
  return {
    protocol, domain: `${protocol}.example`, status: 'ok', observedAt: NOW.toISOString(), lastOkAt: NOW.toISOString(), firstSeenAt: daysFromNow(-200),
    software: protocol === 'xmpp' ? 'prosody' : 'synapse', version: '1.2.0', supersededOn: null, latestVersion: '1.2.0',
    registration: 'open', features: [], tlsValid: true, tlsExpiresAt: daysFromNow(60), ipv4: true, ipv6: true,
    dnssec: protocol === 'xmpp' ? true : null, dane: null, publicRooms: 0, publicMembers: 0, uploadMaxBytes: null, offer: UNKNOWN_OFFER,
    uptime30: { ok: 720, probes: 720, days: 30 }, uptime90: { ok: 2160, probes: 2160, days: 90 }, adminNote: null,
    measuredAt: { liveness: NOW.toISOString(), setup: NOW.toISOString() },
  };
}

/** For each criterion, the facts that make each verdict (applied on top of a base). */
const STATES: Record<CriterionId, Partial<Record<Verdict, (f: GuideFacts) => GuideFacts>>> = {
  tls: {
    unknown: (f) => ({ ...f, tlsValid: null, tlsExpiresAt: null }),
    met: (f) => ({ ...f, tlsValid: true, tlsExpiresAt: daysFromNow(RUBRIC.tlsMinDays + 1) }),
    missed: (f) => ({ ...f, tlsValid: true, tlsExpiresAt: daysFromNow(RUBRIC.tlsMinDays - 2) }),
    severe: (f) => ({ ...f, tlsValid: false }),
  },
  uptime: {
    unknown: (f) => ({ ...f, uptime30: { ok: 10, probes: 10, days: RUBRIC.uptimeMinDays - 1 } }),
    met: (f) => ({ ...f, uptime30: { ok: 995, probes: 1000, days: 30 } }),
    missed: (f) => ({ ...f, uptime30: { ok: 970, probes: 1000, days: 30 } }),
    severe: (f) => ({ ...f, uptime30: { ok: 900, probes: 1000, days: 30 } }),
  },
  current: {
    unknown: (f) => ({ ...f, version: '', software: 'unknown' }),
    met: (f) => ({ ...f, supersededOn: daysFromNow(-RUBRIC.staleDays + 1).slice(0, 10), latestVersion: '1.3.0' }),
    missed: (f) => ({ ...f, supersededOn: daysFromNow(-RUBRIC.staleDays - 5).slice(0, 10), latestVersion: '1.3.0' }),
    severe: (f) => ({ ...f, supersededOn: daysFromNow(-RUBRIC.veryStaleDays - 5).slice(0, 10), latestVersion: '2.0.0' }),
  },
  ipv6: {
    unknown: (f) => ({ ...f, ipv6: null }),
    met: (f) => ({ ...f, ipv6: true }),
    missed: (f) => ({ ...f, ipv6: false }),
  },
  contact: {
    unknown: (f) => ({ ...f, offer: UNKNOWN_OFFER }),
    met: (f) => ({ ...f, offer: f.protocol === 'matrix'
      ? { provider: null, contacts: null, support: { contacts: [{ role: 'm.role.admin', matrixId: '@admin:matrix.example', email: '' }], supportPage: null } }
      : { provider: null, support: null, contacts: { admin: ['xmpp:admin@xmpp.example'] } } }),
    missed: (f) => ({ ...f, offer: f.protocol === 'matrix' ? { provider: null, contacts: null, support: 'absent' } : { provider: 'absent', support: null, contacts: {} } }),
  },
  dnssec: {
    unknown: (f) => ({ ...f, dnssec: null }),
    met: (f) => ({ ...f, dnssec: true }),
    missed: (f) => ({ ...f, dnssec: false }),
  },
};

type Combo = Partial<Record<CriterionId, Verdict>>;

function apply(protocol: Protocol, combo: Combo): GuideFacts {
  let f = base(protocol);
  for (const [id, verdict] of Object.entries(combo) as [CriterionId, Verdict][]) f = STATES[id][verdict]!(f);
  return f;
}

function* combos(ids: CriterionId[]): Generator<Combo> {
  if (ids.length === 0) { yield {}; return; }
  const [first, ...rest] = ids as [CriterionId, ...CriterionId[]];
  for (const tail of combos(rest)) for (const v of Object.keys(STATES[first]) as Verdict[]) yield { ...tail, [first]: v };
}

const rank = (g: string) => GRADES.indexOf(g as (typeof GRADES)[number]);

for (const protocol of ['xmpp', 'matrix'] as const) {
  describe(`the rubric for ${protocol}`, () => {
    const ids = CRITERIA.filter((c) => c.protocols.includes(protocol)).map((c) => c.id);

    it('reads each fact as the verdict it stands for (so the exhaustive checks below test real verdicts)', () => {
      for (const id of ids) {
        for (const [verdict, make] of Object.entries(STATES[id])) {
          const got = gradeServer(make!(base(protocol)), NOW).criteria.find((c) => c.id === id);
          assert.equal(got?.verdict, verdict, `${id} ${verdict}: ${got?.detail}`);
        }
      }
    });

    it('never grades a server down for a fact it does not know: over every combination, unknown grades at least as well as met', () => {
      let checked = 0;
      for (const combo of combos(ids)) {
        const graded = gradeServer(apply(protocol, combo), NOW);
        for (const id of ids) {
          if (combo[id] === 'unknown') continue;
          const unknown = gradeServer(apply(protocol, { ...combo, [id]: 'unknown' }), NOW);
          assert.ok(rank(unknown.grade) <= rank(graded.grade), `${JSON.stringify(combo)} with ${id} unknown: ${unknown.grade} against ${graded.grade}`);
          if (combo[id] === 'met') assert.equal(unknown.grade, graded.grade, `${JSON.stringify(combo)}: ${id} unknown and met must grade the same`);
          assert.equal(unknown.measured, graded.measured - 1, 'the unknown fact is counted as not measured');
          checked += 1;
        }
      }
      assert.ok(checked > 1000, `checked ${checked} pairs`);
    });

    it('a miss never grades better than met', () => {
      for (const combo of combos(ids)) {
        for (const id of ids) {
          if (combo[id] !== 'met') continue;
          const met = gradeServer(apply(protocol, combo), NOW).grade;
          for (const worse of ['missed', 'severe'] as const) {
            if (!STATES[id][worse]) continue;
            assert.ok(rank(gradeServer(apply(protocol, { ...combo, [id]: worse }), NOW).grade) >= rank(met));
          }
        }
      }
    });

    it('a server with nothing known is graded on nothing: every criterion unknown, none missed, and no fix offered', () => {
      const all = Object.fromEntries(ids.map((id) => [id, 'unknown'])) as Combo;
      const g = gradeServer(apply(protocol, all), NOW);
      assert.equal(g.measured, 0);
      assert.equal(g.applicable, ids.length);
      assert.ok(g.criteria.every((c) => c.verdict === 'unknown' && c.fix === null));
    });
  });
}

describe('the published grade rules', () => {
  const r = (tier: 'core' | 'extra', verdict: Verdict) => ({ tier, verdict });
  it('A: no core miss, at most one extra miss', () => {
    assert.equal(gradeOf([r('core', 'met'), r('extra', 'missed')]), 'A');
  });
  it('B: one core miss, or two extra misses', () => {
    assert.equal(gradeOf([r('core', 'missed'), r('extra', 'met')]), 'B');
    assert.equal(gradeOf([r('core', 'met'), r('extra', 'missed'), r('extra', 'missed')]), 'B');
  });
  it('C: a severe miss, or two core misses', () => {
    assert.equal(gradeOf([r('core', 'severe')]), 'C');
    assert.equal(gradeOf([r('core', 'missed'), r('core', 'missed')]), 'C');
  });
  it('every miss names a fix for the admin', () => {
    for (const protocol of ['xmpp', 'matrix'] as const) {
      for (const c of CRITERIA.filter((x) => x.protocols.includes(protocol))) {
        for (const verdict of ['missed', 'severe'] as const) {
          const make = STATES[c.id][verdict];
          if (!make) continue;
          const got = gradeServer(make(base(protocol)), NOW).criteria.find((x) => x.id === c.id);
          assert.ok(got?.fix && got.fix.length > 10, `${protocol} ${c.id} ${verdict}`);
        }
      }
    }
  });
});
