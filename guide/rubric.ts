/**
 * The guide's published rubric (issue 15 item 2): a grade (A, B, C) computed
 * only from measured facts, with each criterion met, missed or unknown, and
 * the admin's fix for each miss. `/choose`, `/about/data` and the API render
 * the criteria and thresholds from the constants below, so the published
 * rubric cannot drift from the code.
 *
 * Unknown is never a miss: the grade counts misses only, so replacing any fact
 * by "not known" can never lower a grade (tests/unit/guide/rubric.test.ts
 * checks it over every combination). How many criteria were measured is shown
 * beside the grade instead. There are no manual overrides.
 */
import type { FactKind, Protocol } from '../crawler/types.ts';
import type { GuideFacts } from '../db/queries/guide/guide-facts.ts';
import { RELEASE_MIN_SERVERS } from '../db/queries/guide/list-guide-facts.ts';

/** Thresholds of the rubric. */
export const RUBRIC = Object.freeze({
  /** A valid certificate with fewer days left than this is a miss. */
  tlsMinDays: 14,
  /** 30-day uptime at or above this meets the uptime criterion. */
  uptimeGood: 0.99,
  /** Below this, the uptime miss is severe. */
  uptimeFloor: 0.95,
  /** Fewer days measured than this: uptime not known yet. */
  uptimeMinDays: 7,
  /** A version superseded longer ago than this many days is a miss… */
  staleDays: 180,
  /** …and longer than this, a severe one. */
  veryStaleDays: 365,
  /** Servers that must have run a version before it counts as a release (db/queries/guide/list-guide-facts.ts). */
  releaseMinServers: RELEASE_MIN_SERVERS,
});

export const GRADES = ['A', 'B', 'C'] as const;
export type Grade = (typeof GRADES)[number];

export type CriterionId = 'tls' | 'uptime' | 'current' | 'ipv6' | 'contact' | 'dnssec';
/** `core`: a miss costs a grade. `extra`: two misses cost one. */
export type Tier = 'core' | 'extra';

/** One criterion as published. */
export interface CriterionDef {
  id: CriterionId;
  tier: Tier;
  /** What it asks, with its threshold. */
  title: string;
  /** Where Chatlas measures it. */
  source: string;
  /** The kind of fact it reads (its "measured at"). */
  kind: FactKind;
  protocols: readonly Protocol[];
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** The criteria, in the order they are shown. */
export const CRITERIA: readonly CriterionDef[] = Object.freeze([
  { id: 'tls', tier: 'core', kind: 'liveness', protocols: ['matrix', 'xmpp'], title: `A certificate that verifies, with at least ${days(RUBRIC.tlsMinDays)} left`, source: 'The TLS handshake of every probe (Matrix federation endpoint, XMPP client connection).' },
  { id: 'uptime', tier: 'core', kind: 'liveness', protocols: ['matrix', 'xmpp'], title: `Up for at least ${pct(RUBRIC.uptimeGood)} of probes over 30 days (known after ${days(RUBRIC.uptimeMinDays)} measured; below ${pct(RUBRIC.uptimeFloor)} is severe)`, source: 'Every probe of the last 30 days (about hourly), counted per day.' },
  { id: 'current', tier: 'core', kind: 'liveness', protocols: ['matrix', 'xmpp'], title: `Runs a version superseded at most ${days(RUBRIC.staleDays)} ago (over ${days(RUBRIC.veryStaleDays)} is severe)`, source: `The version the server reports, against the day the network first showed a newer release of the same software (the software pages' release data; a version counts as a release once ${RELEASE_MIN_SERVERS} servers ran it on one day, so one server reporting a made-up version supersedes nothing).` },
  { id: 'ipv6', tier: 'extra', kind: 'setup', protocols: ['matrix', 'xmpp'], title: 'Reachable over IPv6', source: 'AAAA records of the server\'s endpoint, daily.' },
  { id: 'contact', tier: 'extra', kind: 'setup', protocols: ['matrix', 'xmpp'], title: 'Says who runs it and how to reach them', source: 'Matrix: /.well-known/matrix/support (daily). XMPP: contact addresses (XEP-0157) and the provider file\'s legal notice.' },
  { id: 'dnssec', tier: 'extra', kind: 'liveness', protocols: ['xmpp'], title: 'SRV records signed with DNSSEC', source: 'The DNSSEC-validated answers to the SRV lookups of every probe (XMPP only: Matrix clients do not check DNSSEC).' },
] satisfies CriterionDef[]);

/** How the grade follows from the misses (published as is). */
export const GRADE_RULES: Readonly<Record<Grade, string>> = Object.freeze({
  A: 'No core criterion missed, at most one extra criterion missed.',
  B: 'At most one core criterion missed, none severely; or two extra criteria or more missed.',
  C: 'A severe miss, or two core criteria missed.',
});

export type Verdict = 'met' | 'missed' | 'severe' | 'unknown';

/** One criterion for one server. */
export interface CriterionResult {
  id: CriterionId;
  tier: Tier;
  verdict: Verdict;
  /** The measured value in words ("98.2% of 702 probes over 30 days"). */
  detail: string;
  /** When its fact was measured (ISO), null when never. */
  measuredAt: string | null;
  /** What the admin can do, when missed. */
  fix: string | null;
}

/** A server's grade and why. */
export interface GuideGrade {
  grade: Grade;
  criteria: CriterionResult[];
  /** Criteria with a known verdict, of those that apply to the protocol. */
  measured: number;
  applicable: number;
}

const DAY_MS = 86_400_000;

function tls(f: GuideFacts, now: Date): Omit<CriterionResult, 'id' | 'tier' | 'measuredAt'> {
  if (f.tlsValid === null) return { verdict: 'unknown', detail: 'No TLS connection observed yet.', fix: null };
  const renew = 'Renew the certificate before it expires (an ACME client on a timer) and serve the full chain for the server\'s name.';
  if (!f.tlsValid) return { verdict: 'severe', detail: 'The certificate does not verify (chain or name).', fix: 'Serve a certificate from a public CA that names the domain, with its intermediate certificates.' };
  const left = tlsDaysLeft(f, now);
  if (left === null) return { verdict: 'met', detail: 'The certificate verifies.', fix: null };
  if (left < 0) return { verdict: 'severe', detail: `The certificate expired ${days(-left)} ago.`, fix: renew };
  if (left < RUBRIC.tlsMinDays) return { verdict: 'missed', detail: `The certificate verifies but expires in ${days(left)}.`, fix: renew };
  return { verdict: 'met', detail: `The certificate verifies, ${days(left)} left.`, fix: null };
}

/** Whole days a certificate that verifies has left (negative: expired), null when it does not verify or its expiry is not known. */
export function tlsDaysLeft(f: GuideFacts, now: Date): number | null {
  return f.tlsValid && f.tlsExpiresAt ? Math.floor((Date.parse(f.tlsExpiresAt) - now.getTime()) / DAY_MS) : null;
}

/** A window's uptime as a ratio, null when not known yet (too few days measured). */
export function uptimeRatio(w: GuideFacts['uptime30']): number | null {
  return w.probes > 0 && w.days >= RUBRIC.uptimeMinDays ? w.ok / w.probes : null;
}

function uptime(f: GuideFacts): Omit<CriterionResult, 'id' | 'tier' | 'measuredAt'> {
  const r = uptimeRatio(f.uptime30);
  if (r === null) return { verdict: 'unknown', detail: `Measured on ${days(f.uptime30.days)} so far; known after ${days(RUBRIC.uptimeMinDays)}.`, fix: null };
  const detail = `Up for ${pct(r)} of ${f.uptime30.probes} probes over ${days(f.uptime30.days)}.`;
  const fix = 'The health report lists each failed probe and its cause; a monitor that alerts on the same checks catches outages sooner.';
  if (r >= RUBRIC.uptimeGood) return { verdict: 'met', detail, fix: null };
  return { verdict: r >= RUBRIC.uptimeFloor ? 'missed' : 'severe', detail, fix };
}

/** Days since the installed version was superseded (0: the newest seen), null when not known. */
export function behindDays(f: GuideFacts, now: Date): number | null {
  if (!f.version || f.software === 'unknown' || f.software.startsWith('unrecognised')) return null;
  if (f.supersededOn === null) return 0;
  return Math.max(0, Math.floor((now.getTime() - Date.parse(f.supersededOn)) / DAY_MS));
}

function current(f: GuideFacts, now: Date): Omit<CriterionResult, 'id' | 'tier' | 'measuredAt'> {
  const behind = behindDays(f, now);
  if (behind === null) return { verdict: 'unknown', detail: 'Software or version not known.', fix: null };
  if (f.supersededOn === null) return { verdict: 'met', detail: `Runs ${f.version}, the newest version the network shows.`, fix: null };
  const detail = `Runs ${f.version}, superseded ${days(behind)} ago (newest seen: ${f.latestVersion || 'unknown'}).`;
  const fix = `Upgrade to ${f.latestVersion || 'the current release'}; releases carry security fixes.`;
  if (behind <= RUBRIC.staleDays) return { verdict: 'met', detail, fix: null };
  return { verdict: behind <= RUBRIC.veryStaleDays ? 'missed' : 'severe', detail, fix };
}

function ipv6(f: GuideFacts): Omit<CriterionResult, 'id' | 'tier' | 'measuredAt'> {
  if (f.ipv6 === null) return { verdict: 'unknown', detail: 'Not measured yet.', fix: null };
  return f.ipv6
    ? { verdict: 'met', detail: 'Has IPv6 addresses.', fix: null }
    : { verdict: 'missed', detail: 'No AAAA record.', fix: 'Publish an AAAA record for the server\'s endpoint and listen on IPv6.' };
}

function contact(f: GuideFacts): Omit<CriterionResult, 'id' | 'tier' | 'measuredAt'> {
  const { support, provider, contacts } = f.offer;
  if (f.protocol === 'matrix') {
    if (support === null) return { verdict: 'unknown', detail: 'Support well-known not read yet.', fix: null };
    if (support !== 'absent' && (support.contacts.length > 0 || support.supportPage)) {
      return { verdict: 'met', detail: `/.well-known/matrix/support lists ${support.contacts.length} contact${support.contacts.length === 1 ? '' : 's'}${support.supportPage ? ' and a support page' : ''}.`, fix: null };
    }
    return { verdict: 'missed', detail: 'No /.well-known/matrix/support with a contact.', fix: 'Publish /.well-known/matrix/support with an admin contact or a support page (Client-Server API, spec v1.10).' };
  }
  const addresses = contacts ? Object.values(contacts).reduce((n, list) => n + list.length, 0) : 0;
  const legal = provider !== null && provider !== 'absent' && provider.legalNotice ? provider.legalNotice : null;
  if (addresses > 0 || legal) {
    return { verdict: 'met', detail: [addresses > 0 ? `${addresses} contact address${addresses === 1 ? '' : 'es'} (XEP-0157)` : '', legal ? 'a legal notice in its provider file' : ''].filter(Boolean).join(' and ') + '.', fix: null };
  }
  if (contacts === null || provider === null) return { verdict: 'unknown', detail: 'Contact addresses or provider file not read yet.', fix: null };
  return { verdict: 'missed', detail: 'No contact addresses and no legal notice.', fix: 'Publish contact addresses (XEP-0157) in the server\'s service discovery, or a provider file (/.well-known/xmpp-provider-v2.json) with a legal notice.' };
}

function dnssec(f: GuideFacts): Omit<CriterionResult, 'id' | 'tier' | 'measuredAt'> {
  if (f.dnssec === null) return { verdict: 'unknown', detail: 'Not known.', fix: null };
  return f.dnssec
    ? { verdict: 'met', detail: 'SRV answers validated with DNSSEC.', fix: null }
    : { verdict: 'missed', detail: 'SRV answers not signed.', fix: 'Sign the zone with DNSSEC (most DNS hosts offer it) so clients can trust where the SRV records point.' };
}

const JUDGE: Record<CriterionId, (f: GuideFacts, now: Date) => Omit<CriterionResult, 'id' | 'tier' | 'measuredAt'>> = {
  tls, uptime, current, ipv6, contact, dnssec,
};

/** The grade from verdicts alone (exported for the published rules' tests). */
export function gradeOf(results: readonly Pick<CriterionResult, 'tier' | 'verdict'>[]): Grade {
  const coreMissed = results.filter((r) => r.tier === 'core' && (r.verdict === 'missed' || r.verdict === 'severe')).length;
  const extraMissed = results.filter((r) => r.tier === 'extra' && (r.verdict === 'missed' || r.verdict === 'severe')).length;
  if (results.some((r) => r.verdict === 'severe') || coreMissed >= 2) return 'C';
  if (coreMissed === 1 || extraMissed >= 2) return 'B';
  return 'A';
}

/** Grade one server at `now`. */
export function gradeServer(f: GuideFacts, now: Date): GuideGrade {
  const criteria = CRITERIA.filter((c) => c.protocols.includes(f.protocol)).map((c): CriterionResult => {
    const judged = JUDGE[c.id](f, now);
    const measuredAt = c.id === 'uptime' ? f.observedAt : f.measuredAt[c.kind] ?? null;
    return { id: c.id, tier: c.tier, ...judged, measuredAt: judged.verdict === 'unknown' ? measuredAt : measuredAt ?? f.observedAt };
  });
  return { grade: gradeOf(criteria), criteria, measured: criteria.filter((c) => c.verdict !== 'unknown').length, applicable: criteria.length };
}
