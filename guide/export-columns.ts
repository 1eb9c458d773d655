/**
 * The guide's columns in the server exports (issue 15 item 3): the grade, how
 * many criteria were measured, sign-up, uptime, TLS margin, version lag, upload
 * limit, first seen, and one column per criterion of the rubric (guide/rubric.ts
 * CRITERIA, so a new criterion is a new column). Appended after the export's
 * own columns by both the site's export route and `chatlas export`; their
 * meaning is published from {@link GUIDE_EXPORT_COLUMN_DOCS} (the API document
 * and /about/data).
 *
 * A server the guide does not list has every guide column empty (null); a
 * criterion that does not apply to the protocol (DNSSEC on Matrix) is empty
 * too, while one that applies but is not known says `unknown`.
 */
import { CRITERIA, type CriterionId, type Grade, type Verdict } from './rubric.ts';
import type { GuideEntry } from './query.ts';
import type { SignupClass, SignupWay } from './signup.ts';

/** The criterion columns, in the rubric's order. */
export type CriterionColumn = `criterion_${CriterionId}`;

/** The guide's columns of one exported server; null: not listed by the guide, not known, or not applicable. */
export interface GuideExportColumns {
  grade: Grade | null;
  criteria_measured: number | null;
  criteria_applicable: number | null;
  signup_class: SignupClass | null;
  signup_way: SignupWay | null;
  uptime30: number | null;
  uptime90: number | null;
  tls_days_left: number | null;
  behind_days: number | null;
  upload_max_bytes: number | null;
  first_seen_at: string | null;
  criterion_tls: Verdict | null;
  criterion_uptime: Verdict | null;
  criterion_current: Verdict | null;
  criterion_ipv6: Verdict | null;
  criterion_contact: Verdict | null;
  criterion_dnssec: Verdict | null;
}

/** What each column holds (published with the export). */
export const GUIDE_EXPORT_COLUMN_DOCS: Readonly<Record<keyof GuideExportColumns, string>> = Object.freeze({
  grade: 'The guide\'s grade (A, B, C) from the published rubric; empty when the guide does not list the server.',
  criteria_measured: 'Criteria of the rubric with a known verdict for this server.',
  criteria_applicable: 'Criteria of the rubric that apply to its protocol.',
  signup_class: 'Who can sign up: open, invite (an invitation or a token), closed, unknown.',
  signup_way: 'How: in-band, captcha, email, sso, web, token, invite; empty when closed or not known.',
  uptime30: 'Share of probes that found it up over the last 30 days (0-1); empty until 7 days are measured.',
  uptime90: 'The same over 90 days (0-1).',
  tls_days_left: 'Days its certificate has left (negative: expired); empty when not known or the certificate does not verify.',
  behind_days: 'Days since the version it runs was superseded by a newer release of the same software on the network (0: the newest); empty when not known.',
  upload_max_bytes: 'XMPP: the HTTP upload (XEP-0363) limit in bytes; empty when not known.',
  first_seen_at: 'When Chatlas first recorded the server.',
  criterion_tls: 'Verdict of the criterion tls: met, missed, severe (a severe miss) or unknown; empty when it does not apply to the protocol.',
  criterion_uptime: 'Verdict of the criterion uptime (as criterion_tls).',
  criterion_current: 'Verdict of the criterion current (as criterion_tls).',
  criterion_ipv6: 'Verdict of the criterion ipv6 (as criterion_tls).',
  criterion_contact: 'Verdict of the criterion contact (as criterion_tls).',
  criterion_dnssec: 'Verdict of the criterion dnssec (as criterion_tls; XMPP only).',
});

/** The column names in export order: the fixed ones, then one per criterion in the rubric's order. */
export const GUIDE_EXPORT_COLUMNS: readonly (keyof GuideExportColumns)[] = Object.freeze([
  'grade', 'criteria_measured', 'criteria_applicable', 'signup_class', 'signup_way', 'uptime30', 'uptime90',
  'tls_days_left', 'behind_days', 'upload_max_bytes', 'first_seen_at',
  ...CRITERIA.map((c): CriterionColumn => `criterion_${c.id}`),
]);

const EMPTY: GuideExportColumns = Object.freeze({
  grade: null, criteria_measured: null, criteria_applicable: null, signup_class: null, signup_way: null,
  uptime30: null, uptime90: null, tls_days_left: null, behind_days: null, upload_max_bytes: null, first_seen_at: null,
  criterion_tls: null, criterion_uptime: null, criterion_current: null, criterion_ipv6: null, criterion_contact: null, criterion_dnssec: null,
});

/** Ratios rounded to 4 decimals: an export of 100,000 servers need not carry 17 digits each. */
const ratio = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);

/** The guide columns of one entry (every column null for a server the guide does not list). */
export function guideExportColumns(entry: GuideEntry | undefined): GuideExportColumns {
  if (!entry) return EMPTY;
  const out: GuideExportColumns = {
    ...EMPTY,
    grade: entry.grade.grade,
    criteria_measured: entry.grade.measured,
    criteria_applicable: entry.grade.applicable,
    signup_class: entry.signup.class,
    signup_way: entry.signup.way,
    uptime30: ratio(entry.uptime30),
    uptime90: ratio(entry.uptime90),
    tls_days_left: entry.tlsDaysLeft,
    behind_days: entry.behindDays,
    upload_max_bytes: entry.facts.uploadMaxBytes,
    first_seen_at: entry.facts.firstSeenAt,
  };
  for (const c of entry.grade.criteria) out[`criterion_${c.id}`] = c.verdict;
  return out;
}

/** Key of a server across both networks. */
const keyOf = (protocol: string, domain: string) => `${protocol}\u0000${domain}`;

/**
 * The export's rows with the guide's columns appended, streamed: `entries`
 * (the graded guide, already in memory) is indexed once, then each row is
 * completed as it passes.
 */
export async function* withGuideColumns<T extends { protocol: string; domain: string }>(
  rows: AsyncGenerator<T>,
  entries: readonly GuideEntry[],
): AsyncGenerator<T & GuideExportColumns> {
  const byServer = new Map(entries.map((e) => [keyOf(e.facts.protocol, e.facts.domain), e]));
  try {
    for await (const row of rows) yield { ...row, ...guideExportColumns(byServer.get(keyOf(row.protocol, row.domain))) };
  } finally {
    // A client that went away cancels this generator; pass the cancellation on to the store's stream.
    await rows.return(undefined);
  }
}
