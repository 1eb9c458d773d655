/**
 * `GET /api/v1/guide` and `GET /api/v1/guide/rubric` (issue 15 item 3): the
 * answer's schemas, for the operation table and the OpenAPI document, and the
 * one mapping of a graded entry (guide/query.ts GuideEntry) to its JSON row.
 * Every value the page shows is here with its measured time; `null` is "not
 * known", never "bad".
 */
import { z } from 'zod';
import { FACT_KINDS } from '../../../crawler/types.ts';
import type { GuideEntry } from '../../../guide/query.ts';
import { CRITERIA, GRADE_RULES, GRADES, RUBRIC } from '../../../guide/rubric.ts';
import { SIGNUP_CLASSES, SIGNUP_WAYS } from '../../../guide/signup.ts';
import { RUBRIC_PRINCIPLES, TIER_RULES } from '../guide-rubric.ts';

const iso = z.string().nullable();
const tier = z.enum(['core', 'extra']);

const criterionSchema = z.object({
  id: z.string().describe('Criterion id, as in GET /api/v1/guide/rubric.'),
  tier,
  verdict: z.enum(['met', 'missed', 'severe', 'unknown']).describe('`unknown`: not measured (yet); it never lowers the grade.'),
  detail: z.string().describe('The measured value in words.'),
  measuredAt: iso.describe('When its fact was measured (ISO 8601), null when never.'),
  fix: z.string().nullable().describe('What the admin can do, for a miss.'),
}).loose();

const providerSchema = z.object({
  legalNotice: z.string().nullable(), website: z.string().nullable(), organization: z.string().nullable(),
  freeOfCharge: z.boolean().nullable(), professionalHosting: z.boolean().nullable(), since: z.string().nullable(),
}).loose();
const supportSchema = z.object({
  contacts: z.array(z.object({ role: z.string(), matrixId: z.string(), email: z.string() }).loose()),
  supportPage: z.string().nullable(),
}).loose();

/** One server of the guide. */
export const guideRowSchema = z.object({
  protocol: z.enum(['xmpp', 'matrix']),
  domain: z.string(),
  status: z.string().describe('At the latest probe: ok (up), unreachable, error, …'),
  grade: z.enum(GRADES),
  criteria: z.array(criterionSchema),
  measured: z.number().describe('Criteria with a known verdict.'),
  applicable: z.number().describe('Criteria that apply to the protocol.'),
  signup: z.object({
    class: z.enum(SIGNUP_CLASSES),
    way: z.enum(SIGNUP_WAYS).nullable(),
    label: z.string(),
  }),
  uptime30: z.number().nullable().describe('Share of probes that found it up over 30 days (0-1); null until 7 days are measured.'),
  uptime90: z.number().nullable().describe('The same over 90 days.'),
  tlsValid: z.boolean().nullable(),
  tlsDaysLeft: z.number().nullable().describe('Days the certificate has left (negative: expired); null when not known or not valid.'),
  behindDays: z.number().nullable().describe('Days since its version was superseded (0: the newest the network shows); null when not known.'),
  software: z.string(),
  version: z.string(),
  latestVersion: z.string().describe('The newest version of its software seen on the network.'),
  ipv6: z.boolean().nullable(),
  dnssec: z.boolean().nullable().describe('XMPP only; null for Matrix.'),
  dane: z.boolean().nullable().describe('XMPP only; null for Matrix.'),
  uploadMaxBytes: z.number().nullable().describe('XMPP HTTP upload (XEP-0363) limit in bytes.'),
  firstSeenAt: iso,
  publicRooms: z.number(),
  publicMembers: z.number(),
  offer: z.object({
    provider: z.union([providerSchema, z.literal('absent')]).nullable().describe('XMPP provider file statements; `absent`: none published; null: not known.'),
    support: z.union([supportSchema, z.literal('absent')]).nullable().describe('Matrix /.well-known/matrix/support; `absent`: none published; null: not known.'),
    contacts: z.record(z.string(), z.array(z.string())).nullable().describe('XMPP contact addresses (XEP-0157) by kind; null: not known.'),
  }).describe('What the server says about itself.'),
  adminNote: z.string().nullable().describe('What its verified admin wrote at registration: their words, not measured and never graded; null when there is none.'),
  observedAt: z.string().describe('Its latest probe.'),
  measuredAt: z.record(z.string(), z.string()).describe(`When each kind of fact was last measured (${FACT_KINDS.join(', ')}).`),
}).loose();

/** `GET /api/v1/guide`. */
export const guidePageSchema = z.object({
  rows: z.array(guideRowSchema),
  total: z.number().describe('Servers that pass every filter, over all pages.'),
  unknownExcluded: z.number().describe('Servers left out only because a filtered fact is not known for them (not because they fail it).'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` (with the same filters and sort) for the next page; null on the last page.'),
});

/** `GET /api/v1/guide/rubric`. */
export const guideRubricSchema = z.object({
  criteria: z.array(z.object({
    id: z.string(), tier, title: z.string(), source: z.string(),
    kind: z.enum(FACT_KINDS).describe('The kind of fact it reads (its cadence, /about/data#pace).'),
    protocols: z.array(z.enum(['xmpp', 'matrix'])),
  })),
  tiers: z.object({ core: z.string(), extra: z.string() }),
  grades: z.array(z.object({ grade: z.enum(GRADES), rule: z.string() })),
  thresholds: z.record(z.string(), z.number()).describe('The rubric\'s numbers: tlsMinDays, uptimeGood and uptimeFloor (0-1), uptimeMinDays, staleDays, veryStaleDays, releaseMinServers.'),
  principles: z.array(z.string()),
});

/** The rubric as the API publishes it (read from guide/rubric.ts). */
export function guideRubricBody(): z.output<typeof guideRubricSchema> {
  return {
    criteria: CRITERIA.map((c) => ({ id: c.id, tier: c.tier, title: c.title, source: c.source, kind: c.kind, protocols: [...c.protocols] })),
    tiers: { ...TIER_RULES },
    grades: GRADES.map((grade) => ({ grade, rule: GRADE_RULES[grade] })),
    thresholds: { ...RUBRIC },
    principles: [...RUBRIC_PRINCIPLES],
  };
}

/** One graded entry as the API answers it. */
export function guideApiRow(e: GuideEntry): z.output<typeof guideRowSchema> {
  const f = e.facts;
  return {
    protocol: f.protocol, domain: f.domain, status: f.status,
    grade: e.grade.grade,
    criteria: e.grade.criteria.map((c) => ({ id: c.id, tier: c.tier, verdict: c.verdict, detail: c.detail, measuredAt: c.measuredAt, fix: c.fix })),
    measured: e.grade.measured, applicable: e.grade.applicable,
    signup: { class: e.signup.class, way: e.signup.way, label: e.signup.label },
    uptime30: e.uptime30, uptime90: e.uptime90,
    tlsValid: f.tlsValid, tlsDaysLeft: e.tlsDaysLeft, behindDays: e.behindDays,
    software: f.software, version: f.version, latestVersion: f.latestVersion,
    ipv6: f.ipv6, dnssec: f.dnssec, dane: f.dane, uploadMaxBytes: f.uploadMaxBytes,
    firstSeenAt: f.firstSeenAt, publicRooms: f.publicRooms, publicMembers: f.publicMembers, adminNote: f.adminNote,
    // Spread into plain objects: the schema's members are documented, the rest of the statements pass as they are.
    offer: {
      provider: f.offer.provider === null || f.offer.provider === 'absent' ? f.offer.provider : { ...f.offer.provider },
      support: f.offer.support === null || f.offer.support === 'absent' ? f.offer.support : { ...f.offer.support, contacts: f.offer.support.contacts.map((c) => ({ ...c })) },
      contacts: f.offer.contacts,
    },
    observedAt: f.observedAt,
    measuredAt: { ...f.measuredAt },
  };
}
