/**
 * The guide's rubric as the site publishes it (`/choose`, `/about/data`, and
 * `GET /api/v1/guide/rubric`): criteria, tiers, thresholds and grade rules,
 * every number and sentence read from guide/rubric.ts, so what is published is
 * what grades.
 */
import { CRITERIA, GRADE_RULES, GRADES, RUBRIC, type CriterionId, type Grade, type Tier } from '../../guide/rubric.ts';
import type { FactKind } from '../../crawler/types.ts';
import { KIND_SHORT_LABELS } from './crawl-etiquette.ts';

/** What a tier means for the grade (the rules of guide/rubric.ts gradeOf, in words). */
export const TIER_RULES: Readonly<Record<Tier, string>> = Object.freeze({
  core: 'Core: one miss costs a grade (A to B); a severe miss, or two misses, gives C.',
  extra: 'Extra: one miss costs nothing; two or more bring A down to B (never lower).',
});

/** The principles the grade keeps, published with it. */
export const RUBRIC_PRINCIPLES: readonly string[] = Object.freeze([
  'Unknown is never a miss: a fact Chatlas has not measured (yet) is shown as unknown and never lowers a grade. Beside each grade, "k of n criteria measured" says how much it rests on.',
  'Only measured facts count: what the server answers to Chatlas\'s probes and what it publishes about itself. Nothing is graded by hand, and there are no manual overrides.',
  'An admin who disagrees can fix the server (each miss says how, and links the server\'s health report) or register it on Chatlas to add context; the grade follows the next probes.',
]);

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** Every threshold of RUBRIC with its label; a threshold added there without a label here fails to compile. */
const THRESHOLD_LABELS: Record<keyof typeof RUBRIC, (v: number) => { label: string; value: string }> = {
  tlsMinDays: (v) => ({ label: 'Fewest days a certificate may have left', value: days(v) }),
  uptimeGood: (v) => ({ label: '30-day uptime that meets the uptime criterion', value: `${pct(v)} or more` }),
  uptimeFloor: (v) => ({ label: '30-day uptime below which the miss is severe', value: pct(v) }),
  uptimeMinDays: (v) => ({ label: 'Days measured before uptime is known', value: days(v) }),
  staleDays: (v) => ({ label: 'Days since the version was superseded before it is a miss', value: `more than ${days(v)}` }),
  veryStaleDays: (v) => ({ label: '…and before it is a severe miss', value: `more than ${days(v)}` }),
  releaseMinServers: (v) => ({ label: 'Servers that must have run a version on one day before it counts as a release', value: `${v}` }),
};

/** One criterion as the pages show it. */
export interface RubricCriterionView {
  id: CriterionId;
  tier: Tier;
  title: string;
  source: string;
  /** `Matrix and XMPP`, `XMPP only`. */
  appliesTo: string;
  /** Which kind of probe measures it, in words. */
  measuredBy: string;
  kind: FactKind;
}

/** The rubric as the pages show it. */
export interface RubricView {
  criteria: RubricCriterionView[];
  tiers: { tier: Tier; rule: string }[];
  grades: { grade: Grade; rule: string }[];
  thresholds: { key: keyof typeof RUBRIC; label: string; value: string }[];
  principles: readonly string[];
}

/** The rubric, for rendering. */
export function rubricView(): RubricView {
  return {
    criteria: CRITERIA.map((c) => ({
      id: c.id, tier: c.tier, title: c.title, source: c.source, kind: c.kind,
      appliesTo: c.protocols.length === 2 ? 'Matrix and XMPP' : `${c.protocols[0] === 'xmpp' ? 'XMPP' : 'Matrix'} only`,
      measuredBy: KIND_SHORT_LABELS[c.kind],
    })),
    tiers: (Object.keys(TIER_RULES) as Tier[]).map((tier) => ({ tier, rule: TIER_RULES[tier] })),
    grades: GRADES.map((grade) => ({ grade, rule: GRADE_RULES[grade] })),
    thresholds: (Object.keys(RUBRIC) as (keyof typeof RUBRIC)[]).map((key) => ({ key, ...THRESHOLD_LABELS[key](RUBRIC[key]) })),
    principles: RUBRIC_PRINCIPLES,
  };
}
