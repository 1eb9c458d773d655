/**
 * The guide's filters and sorts (issue 15 item 1 and 3): one schema for the
 * `/choose` form and `GET /api/v1/guide` (and its OpenAPI document), applied
 * in process to the graded entries (guide/guide.ts). A filter asks for a
 * measured fact: a server whose fact is not known does not pass it (and the
 * answer says how many were left out for that reason), but it is never graded
 * down for it (guide/rubric.ts).
 */
import { z } from 'zod';
import { PROTOCOLS } from '../crawler/types.ts';
import type { GuideFacts } from '../db/queries/guide/guide-facts.ts';
import { behindDays, GRADES, gradeServer, tlsDaysLeft, uptimeRatio, type Grade, type GuideGrade } from './rubric.ts';
import { SIGNUP_CLASSES, SIGNUP_WAYS, signupOf, type Signup } from './signup.ts';

const DAY_MS = 86_400_000;

/** Sort keys (allow-list); each sorts unknown values last. */
export const GUIDE_SORTS = ['grade', 'uptime30', 'uptime90', 'tls-days', 'current', 'age', 'rooms', 'members', 'upload', 'domain'] as const;
export type GuideSort = (typeof GUIDE_SORTS)[number];

const percent = z.coerce.number().min(0).max(100);
const count = z.coerce.number().int().min(0).max(1_000_000_000);
const yes = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The guide's query, as the form and the API take it. Every field optional. */
export const guideQuerySchema = z.object({
  protocol: z.enum(PROTOCOLS).optional().describe('xmpp or matrix; both when absent.'),
  signup: z.enum(SIGNUP_CLASSES).optional().describe('Who can sign up: open (anyone now), invite (an invitation or token), closed, unknown.'),
  way: z.enum(SIGNUP_WAYS).optional().describe('How: in-band, captcha, email, sso, web, token, invite.'),
  uptime30: percent.optional().describe('At least this uptime over 30 days, in percent (0-100); servers not yet measured 7 days do not pass.'),
  uptime90: percent.optional().describe('At least this uptime over 90 days, in percent (0-100).'),
  tlsDays: count.optional().describe('A certificate that verifies with at least this many days left.'),
  behind: count.optional().describe('A version superseded at most this many days ago (0: the newest the network shows).'),
  ipv6: yes.optional().describe('true: reachable over IPv6.'),
  dnssec: yes.optional().describe('true: DNSSEC-signed SRV records (XMPP).'),
  dane: yes.optional().describe('true: DANE (TLSA) for the client endpoint (XMPP).'),
  uploadMb: count.optional().describe('An HTTP upload limit of at least this many MB (XMPP, XEP-0363).'),
  feature: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'expected a feature such as urn:xmpp:mam:2').optional().describe('A feature the server advertises (XMPP disco or stream feature, Matrix unstable feature or login flow).'),
  ageDays: count.optional().describe('Known to Chatlas for at least this many days.'),
  rooms: count.optional().describe('At least this many public rooms.'),
  free: yes.optional().describe('true: the provider file says free of charge (XMPP).'),
  professional: yes.optional().describe('true: the provider file says professional hosting (XMPP).'),
  legal: yes.optional().describe('true: a legal notice in the provider file (XMPP).'),
  contact: yes.optional().describe('true: publishes who runs it (Matrix support well-known, XMPP contact addresses or legal notice).'),
  grade: z.enum(GRADES).optional().describe('At least this grade (A is best).'),
  down: yes.optional().describe('true: include servers down at their latest probe. Default: only servers up.'),
  sort: z.enum(GUIDE_SORTS).optional().describe('Sort key; default grade (then 30-day uptime, then members).'),
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/, 'expected a cursor from nextCursor').optional().describe('From the previous page\'s nextCursor.'),
  limit: z.coerce.number().int().min(1).max(500).optional().describe('Servers per page, 1-500; default 50.'),
});
export type GuideQuery = z.infer<typeof guideQuerySchema>;

/** One server of the guide: its facts, grade and the derived values the filters and the page use. */
export interface GuideEntry {
  facts: GuideFacts;
  grade: GuideGrade;
  signup: Signup;
  /** 30- and 90-day uptime (0-1), null until enough is measured. */
  uptime30: number | null;
  uptime90: number | null;
  /** Days the certificate has left (negative: expired), null when not known or invalid. */
  tlsDaysLeft: number | null;
  /** Days since its version was superseded (0: newest), null when not known. */
  behindDays: number | null;
  /** Days since Chatlas first saw it. */
  ageDays: number | null;
}

/** Grade every server at `now` (the guide's memoised list, guide/guide.ts). */
export function buildEntries(facts: readonly GuideFacts[], now: Date): GuideEntry[] {
  return facts.map((f) => ({
    facts: f,
    grade: gradeServer(f, now),
    signup: signupOf(f.protocol, f.registration),
    uptime30: uptimeRatio(f.uptime30),
    uptime90: uptimeRatio(f.uptime90),
    tlsDaysLeft: tlsDaysLeft(f, now),
    behindDays: behindDays(f, now),
    ageDays: f.firstSeenAt ? Math.floor((now.getTime() - Date.parse(f.firstSeenAt)) / DAY_MS) : null,
  }));
}

/** A filter: whether the entry passes, and whether its fact was unknown (for the "left out, not known" count). */
type Check = (e: GuideEntry) => boolean | null;

const atLeast = (value: number | null, min: number): boolean | null => (value === null ? null : value >= min);
/** A yes/no fact asked for: passes when it is `want`, null (unknown) when not measured. */
const yesNo = (key: 'ipv6' | 'dnssec' | 'dane', want: boolean): Check => (e) => {
  const v = e.facts[key];
  return v === null ? null : v === want;
};
const provider = (e: GuideEntry) => {
  const p = e.facts.offer.provider;
  return p === null ? null : p === 'absent' ? 'absent' as const : p;
};

function checks(q: GuideQuery): Check[] {
  const out: Check[] = [];
  if (q.protocol) out.push((e) => e.facts.protocol === q.protocol);
  if (!q.down) out.push((e) => e.facts.status === 'ok');
  if (q.signup) out.push((e) => e.signup.class === q.signup);
  if (q.way) out.push((e) => (e.signup.class === 'unknown' ? null : e.signup.way === q.way));
  if (q.uptime30 !== undefined) { const min = q.uptime30 / 100; out.push((e) => atLeast(e.uptime30, min)); }
  if (q.uptime90 !== undefined) { const min = q.uptime90 / 100; out.push((e) => atLeast(e.uptime90, min)); }
  if (q.tlsDays !== undefined) { const min = q.tlsDays; out.push((e) => (e.facts.tlsValid === null ? null : e.facts.tlsValid === false ? false : atLeast(e.tlsDaysLeft, min))); }
  if (q.behind !== undefined) { const max = q.behind; out.push((e) => (e.behindDays === null ? null : e.behindDays <= max)); }
  for (const key of ['ipv6', 'dnssec', 'dane'] as const) if (q[key] !== undefined) out.push(yesNo(key, q[key]));
  if (q.uploadMb !== undefined) { const min = q.uploadMb * 1_000_000; out.push((e) => atLeast(e.facts.uploadMaxBytes, min)); }
  if (q.feature) { const f = q.feature; out.push((e) => (e.facts.features.length === 0 ? null : e.facts.features.includes(f))); }
  if (q.ageDays !== undefined) { const min = q.ageDays; out.push((e) => atLeast(e.ageDays, min)); }
  if (q.rooms !== undefined) { const min = q.rooms; out.push((e) => e.facts.publicRooms >= min); }
  const stated = (key: 'freeOfCharge' | 'professionalHosting', want: boolean): Check => (e) => {
    const p = provider(e);
    if (p === null) return null;
    if (p === 'absent') return want ? false : null;
    return p[key] === null ? null : p[key] === want;
  };
  if (q.free !== undefined) out.push(stated('freeOfCharge', q.free));
  if (q.professional !== undefined) out.push(stated('professionalHosting', q.professional));
  if (q.legal !== undefined) { const want = q.legal; out.push((e) => { const p = provider(e); return p === null ? null : (p !== 'absent' && !!p.legalNotice) === want; }); }
  if (q.contact !== undefined) {
    const want = q.contact;
    out.push((e) => {
      const c = e.grade.criteria.find((r) => r.id === 'contact');
      return !c || c.verdict === 'unknown' ? null : (c.verdict === 'met') === want;
    });
  }
  if (q.grade) { const worst = GRADES.indexOf(q.grade); out.push((e) => GRADES.indexOf(e.grade.grade) <= worst); }
  return out;
}

/** Compare with unknown (null) last whatever the direction. */
function by<T extends number | string>(value: (e: GuideEntry) => T | null, dir: 1 | -1): (a: GuideEntry, b: GuideEntry) => number {
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return x < y ? -dir : x > y ? dir : 0;
  };
}

const tieBreak = (a: GuideEntry, b: GuideEntry) => (a.facts.domain < b.facts.domain ? -1 : a.facts.domain > b.facts.domain ? 1 : a.facts.protocol < b.facts.protocol ? -1 : a.facts.protocol > b.facts.protocol ? 1 : 0);

const SORT: Record<GuideSort, ((a: GuideEntry, b: GuideEntry) => number)[]> = {
  grade: [by((e) => GRADES.indexOf(e.grade.grade), 1), by((e) => e.uptime30, -1), by((e) => e.facts.publicMembers, -1)],
  uptime30: [by((e) => e.uptime30, -1)],
  uptime90: [by((e) => e.uptime90, -1)],
  'tls-days': [by((e) => e.tlsDaysLeft, -1)],
  current: [by((e) => e.behindDays, 1)],
  age: [by((e) => e.ageDays, -1)],
  rooms: [by((e) => e.facts.publicRooms, -1)],
  members: [by((e) => e.facts.publicMembers, -1)],
  upload: [by((e) => e.facts.uploadMaxBytes, -1)],
  domain: [],
};

/** A page of the guide. */
export interface GuidePage {
  rows: GuideEntry[];
  /** Servers that pass every filter, over all pages. */
  total: number;
  /** Servers left out only because a filtered fact is not known (not because it failed). */
  unknownExcluded: number;
  nextCursor: string | null;
}

/** Thrown for a cursor issued for another sort (a 400 for the API). */
export class InvalidGuideCursorError extends Error {}

const encodeCursor = (sort: GuideSort, offset: number) => Buffer.from(`${sort}:${offset}`).toString('base64url');
function decodeCursor(cursor: string, sort: GuideSort): number {
  const [s, o] = Buffer.from(cursor, 'base64url').toString().split(':');
  const offset = Number(o);
  if (s !== sort || !Number.isInteger(offset) || offset < 0) throw new InvalidGuideCursorError('cursor was not issued for this sort');
  return offset;
}

/** Filter, sort and page the graded entries. */
export function queryGuide(entries: readonly GuideEntry[], q: GuideQuery): GuidePage {
  const sort = q.sort ?? 'grade';
  const offset = q.cursor ? decodeCursor(q.cursor, sort) : 0;
  const limit = q.limit ?? 50;
  const tests = checks(q);
  const passed: GuideEntry[] = [];
  let unknownExcluded = 0;
  // The entries in this sort's order, sorted once per list (the memoised list lives for minutes): a
  // filter keeps the order, so a question costs one pass over the servers and no sort.
  for (const e of sortedBy(entries, sort)) {
    let ok = true;
    let unknown = false;
    for (const t of tests) {
      const r = t(e);
      if (r === false) { ok = false; unknown = false; break; }
      if (r === null) { ok = false; unknown = true; }
    }
    if (ok) passed.push(e);
    else if (unknown) unknownExcluded += 1;
  }
  const rows = passed.slice(offset, offset + limit);
  return { rows, total: passed.length, unknownExcluded, nextCursor: offset + limit < passed.length ? encodeCursor(sort, offset + limit) : null };
}

/** Per entries list, its copies in each sort's order (dropped with the list). */
const SORTED = new WeakMap<readonly GuideEntry[], Map<GuideSort, readonly GuideEntry[]>>();

function sortedBy(entries: readonly GuideEntry[], sort: GuideSort): readonly GuideEntry[] {
  let bySort = SORTED.get(entries);
  if (!bySort) SORTED.set(entries, (bySort = new Map()));
  let sorted = bySort.get(sort);
  if (!sorted) {
    const order = [...SORT[sort], tieBreak];
    sorted = [...entries].sort((a, b) => { for (const c of order) { const r = c(a, b); if (r !== 0) return r; } return 0; });
    bySort.set(sort, sorted);
  }
  return sorted;
}

/** Re-export for the page and the API. */
export type { Grade };
