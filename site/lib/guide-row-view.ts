/**
 * One server of `/choose` (issue 15) as the page shows it: every value with
 * its source and when it was measured, unknown as "unknown" (or "last
 * checked" when a probe of its kind ran and the server did not say), never as
 * a miss; each criterion's verdict with its detail, and for a miss the fix
 * and a link to the server's health report. Pure: the page's loader is
 * site/lib/pages/load-guide.ts.
 */
import type { FactKind } from '../../crawler/types.ts';
import type { GuideEntry } from '../../guide/query.ts';
import { RUBRIC, type CriterionId, type Grade, type Tier, type Verdict } from '../../guide/rubric.ts';
import { formatAgo, formatDay, formatNumber, formatTime } from './format.ts';
import { softwareName } from './software-names.ts';

/** One shown value. */
export interface GuideFactView {
  key: 'signup' | 'uptime30' | 'uptime90' | 'tls' | 'version' | 'ipv6' | 'dnssec' | 'dane' | 'upload' | 'first-seen' | 'rooms' | 'provider' | 'contact';
  label: string;
  /** The value in words; exactly `unknown` when not known. */
  value: string;
  known: boolean;
  /** Why it is unknown, or more about the value. */
  note: string | null;
  /** Where Chatlas measures it. */
  source: string;
  /** When it was measured (ISO), null when never. */
  measuredAt: string | null;
  /** `measured 3 hours ago`, `not measured yet`. */
  measured: string;
  /** `2026-11-20 11:50 UTC`, or '' when never. */
  measuredTime: string;
  /** Links the server published (http and https only), e.g. its legal notice or support page. */
  links: { label: string; href: string }[];
}

/** One criterion's verdict for one server. */
export interface GuideReasonView {
  id: CriterionId;
  /** Its short name (the rubric on the page has the full title with the threshold). */
  title: string;
  tier: Tier;
  verdict: Verdict;
  /** `met`, `missed`, `missed (severe)`, `unknown`. */
  verdictLabel: string;
  detail: string;
  measuredAt: string | null;
  measured: string;
  measuredTime: string;
  /** What the admin can do, for a miss. */
  fix: string | null;
  /** The server's health report, for a miss. */
  fixHref: string | null;
}

/** One server of the result list. */
export interface GuideRowView {
  protocol: 'matrix' | 'xmpp';
  protocolLabel: string;
  domain: string;
  href: string;
  /** The health report of this protocol on the server page. */
  healthHref: string;
  up: boolean;
  statusLabel: string;
  grade: Grade;
  measured: number;
  applicable: number;
  /** `5 of 6 criteria measured`. */
  measuredLine: string;
  facts: GuideFactView[];
  reasons: GuideReasonView[];
  /** What its verified admin wrote at registration (their words, shown as such, never graded), or null. */
  adminNote: string | null;
}

const pct = (x: number) => `${(Math.floor(x * 1000) / 10).toFixed(1)}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** A link the server published, kept only when it is http(s): crawled text never becomes a javascript: URL. */
function safeLink(label: string, url: string | null | undefined): { label: string; href: string }[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? [{ label, href: u.href }] : [];
  } catch {
    return [];
  }
}

/**
 * `measured 3 hours ago` relative to `now`, or `not measured yet` (the page
 * puts the time itself in a title, {@link formatTime}). For a fact still
 * unknown after a probe of its kind ran (the server did not say), `last
 * checked 3 hours ago`: it was looked for, not measured.
 */
export function measuredWords(at: string | null, now: Date, known = true): string {
  if (!at) return 'not measured yet';
  return `${known ? 'measured' : 'last checked'} ${formatAgo(at, now)}`;
}

/** Short names of the criteria for the result rows (the rubric shows the full titles). */
export const CRITERION_LABELS: Readonly<Record<CriterionId, string>> = {
  tls: 'TLS certificate', uptime: 'Uptime', current: 'Current version', ipv6: 'IPv6', contact: 'Who runs it', dnssec: 'DNSSEC',
};

/** XEP-0363 limits are bytes; people think in (decimal) MB, as the filter does. */
function formatMegabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  return `${mb >= 10 ? formatNumber(Math.round(mb)) : (Math.round(mb * 10) / 10).toString()} MB`;
}

/** Where each fact is measured: the kind of probe whose time it shows, and the source in words. */
const SOURCES = {
  signup: {
    matrix: 'The registration request (an empty POST /_matrix/client/v3/register, weekly) and the auth metadata; Chatlas never creates an account.',
    xmpp: 'The stream features (XEP-0077 in-band registration, every probe) and the registration form (weekly); Chatlas never creates an account.',
  },
  uptime: 'Every probe of the window (about hourly), counted per day.',
  tls: 'The TLS handshake of the latest probe (Matrix federation endpoint, XMPP client connection).',
  version: 'The version the server reports (Matrix federation /version, XMPP XEP-0092), against the day the network first showed a newer release of the same software (the software pages\' release data).',
  ipv6: 'AAAA records of the server\'s endpoint.',
  dnssec: 'DNSSEC validation of the SRV answers.',
  dane: 'A DNSSEC-signed TLSA record for the client endpoint.',
  upload: 'The HTTP upload service\'s max-file-size (XEP-0363) in service discovery.',
  firstSeen: 'The first day Chatlas probed the server (its daily probe counts), as of the latest probe.',
  rooms: 'The server\'s public room directory (Matrix publicRooms, XMPP multi-user chat).',
  provider: 'The provider file /.well-known/xmpp-provider-v2.json (the XMPP Providers format).',
  contact: {
    matrix: '/.well-known/matrix/support (MSC1929).',
    xmpp: 'Contact addresses in service discovery (XEP-0157).',
  },
} as const;

/** The kind of fact (its cadence and "measured at") of the upload limit: read from service discovery of the server's components. */
const UPLOAD_KIND: FactKind = 'rooms';

/** One server of the result list (pure). */
export function guideRowView(e: GuideEntry, now: Date): GuideRowView {
  const f = e.facts;
  const xmpp = f.protocol === 'xmpp';
  const healthHref = `/servers/${encodeURIComponent(f.domain)}#health-${f.protocol}`;
  const at = (kind: FactKind) => f.measuredAt[kind] ?? null;
  const fact = (key: GuideFactView['key'], label: string, known: boolean, value: string, source: string, measuredAt: string | null, note: string | null = null, links: GuideFactView['links'] = []): GuideFactView =>
    ({ key, label, known, value: known ? value : 'unknown', note, source, measuredAt, measured: measuredWords(measuredAt, now, known), measuredTime: measuredAt ? formatTime(measuredAt) : '', links });

  const facts: GuideFactView[] = [];
  facts.push(fact('signup', 'Sign-up', e.signup.class !== 'unknown', e.signup.label, SOURCES.signup[f.protocol],
    xmpp ? at('liveness') : at('register') ?? at('setup')));
  for (const [key, label, window, ratio, span] of [
    ['uptime30', 'Uptime, 30 days', f.uptime30, e.uptime30, 30],
    ['uptime90', 'Uptime, 90 days', f.uptime90, e.uptime90, 90],
  ] as const) {
    facts.push(fact(key, label, ratio !== null, ratio === null ? '' : pct(ratio), `${SOURCES.uptime} Last ${span} days.`, window.probes > 0 ? f.observedAt : null,
      ratio === null
        ? `Measured on ${plural(window.days, 'day')} so far; known after ${plural(RUBRIC.uptimeMinDays, 'day')}.`
        : `${plural(window.ok, 'probe')} of ${formatNumber(window.probes)} found it up, over ${plural(window.days, 'day')}.`));
  }
  const tlsValue = f.tlsValid === false ? 'does not verify'
    : e.tlsDaysLeft === null ? 'valid'
    : e.tlsDaysLeft < 0 ? `expired ${plural(-e.tlsDaysLeft, 'day')} ago`
    : `valid, ${plural(e.tlsDaysLeft, 'day')} left`;
  facts.push(fact('tls', 'TLS certificate', f.tlsValid !== null, tlsValue, SOURCES.tls, at('liveness') ?? f.observedAt,
    f.tlsValid === null ? 'No TLS connection observed yet.' : f.tlsExpiresAt ? `Expires ${formatDay(f.tlsExpiresAt)}.` : null));
  const behind = e.behindDays;
  facts.push(fact('version', 'Version', behind !== null,
    behind === null ? '' : behind === 0 && f.supersededOn === null
      ? `${softwareName(f.software)} ${f.version}, the newest the network shows`
      : `${softwareName(f.software)} ${f.version}, superseded ${plural(behind, 'day')} ago`,
    SOURCES.version, at('liveness') ?? f.observedAt,
    behind === null ? 'Software or version not reported.' : f.supersededOn && f.latestVersion ? `Newest seen: ${f.latestVersion} (a newer release first seen ${formatDay(f.supersededOn)}).` : null));
  facts.push(fact('ipv6', 'IPv6', f.ipv6 !== null, yesNo(f.ipv6 === true), SOURCES.ipv6, at('setup')));
  if (xmpp) {
    facts.push(fact('dnssec', 'DNSSEC', f.dnssec !== null, yesNo(f.dnssec === true), SOURCES.dnssec, at('liveness')));
    facts.push(fact('dane', 'DANE', f.dane !== null, yesNo(f.dane === true), SOURCES.dane, at('setup')));
    facts.push(fact('upload', 'Upload limit', f.uploadMaxBytes !== null, f.uploadMaxBytes === null ? '' : formatMegabytes(f.uploadMaxBytes), SOURCES.upload, at(UPLOAD_KIND)));
  }
  const age = e.ageDays;
  facts.push(fact('first-seen', 'First seen', f.firstSeenAt !== null, `${formatDay(f.firstSeenAt)}${age === null ? '' : ` (${plural(age, 'day')} ago)`}`, SOURCES.firstSeen, f.observedAt));
  facts.push(fact('rooms', 'Public rooms', true, `${formatNumber(f.publicRooms)} (${plural(f.publicMembers, 'member')})`, SOURCES.rooms, at('rooms')));
  if (xmpp) facts.push(providerFact(e, at('setup'), fact));
  facts.push(contactFact(e, xmpp ? at('liveness') : at('setup'), fact));

  const reasons = e.grade.criteria.map((c): GuideReasonView => {
    const missed = c.verdict === 'missed' || c.verdict === 'severe';
    return {
      id: c.id, tier: c.tier, title: CRITERION_LABELS[c.id], verdict: c.verdict,
      verdictLabel: c.verdict === 'severe' ? 'missed (severe)' : c.verdict,
      detail: c.detail, measuredAt: c.measuredAt, measured: measuredWords(c.measuredAt, now, c.verdict !== 'unknown'), measuredTime: c.measuredAt ? formatTime(c.measuredAt) : '',
      fix: missed ? c.fix : null, fixHref: missed ? healthHref : null,
    };
  });
  return {
    protocol: f.protocol, protocolLabel: xmpp ? 'XMPP' : 'Matrix', domain: f.domain,
    href: `/servers/${encodeURIComponent(f.domain)}`, healthHref,
    up: f.status === 'ok', statusLabel: f.status === 'ok' ? 'up' : f.status,
    grade: e.grade.grade, measured: e.grade.measured, applicable: e.grade.applicable,
    measuredLine: `${e.grade.measured} of ${e.grade.applicable} criteria measured`,
    facts, reasons,
    adminNote: f.adminNote,
  };
}

type FactMaker = (key: GuideFactView['key'], label: string, known: boolean, value: string, source: string, measuredAt: string | null, note?: string | null, links?: GuideFactView['links']) => GuideFactView;

/** XMPP: what the provider file states. */
function providerFact(e: GuideEntry, measuredAt: string | null, fact: FactMaker): GuideFactView {
  const p = e.facts.offer.provider;
  if (p === null) return fact('provider', 'Provider file', false, '', SOURCES.provider, measuredAt, 'Not read yet.');
  if (p === 'absent') return fact('provider', 'Provider file', true, 'none published', SOURCES.provider, measuredAt);
  const said = (b: boolean | null) => (b === null ? 'not stated' : yesNo(b));
  const parts = [
    `free of charge: ${said(p.freeOfCharge)}`,
    `professional hosting: ${said(p.professionalHosting)}`,
    `legal notice: ${p.legalNotice ? 'yes' : 'not stated'}`,
    ...(p.since ? [`since ${p.since}`] : []),
    ...(p.organization ? [`run by ${p.organization}`] : []),
  ];
  return fact('provider', 'Provider file', true, parts.join(' · '), SOURCES.provider, measuredAt, null,
    [...safeLink('Legal notice', p.legalNotice), ...safeLink('Website', p.website)]);
}

/** Who runs it: Matrix support contacts, XMPP contact addresses. */
function contactFact(e: GuideEntry, measuredAt: string | null, fact: FactMaker): GuideFactView {
  const { support, contacts } = e.facts.offer;
  if (e.facts.protocol === 'matrix') {
    if (support === null) return fact('contact', 'Support contacts', false, '', SOURCES.contact.matrix, measuredAt, 'Not read yet.');
    if (support === 'absent' || (support.contacts.length === 0 && !support.supportPage)) return fact('contact', 'Support contacts', true, 'none published', SOURCES.contact.matrix, measuredAt);
    const shown = support.contacts.slice(0, 5).map((c) => `${c.role || 'contact'}: ${[c.matrixId, c.email].filter(Boolean).join(', ') || '—'}`);
    const more = support.contacts.length - shown.length;
    return fact('contact', 'Support contacts', true, [...shown, ...(more > 0 ? [`${more} more`] : [])].join(' · ') || 'a support page', SOURCES.contact.matrix, measuredAt, null,
      safeLink('Support page', support.supportPage));
  }
  if (contacts === null) return fact('contact', 'Contact addresses', false, '', SOURCES.contact.xmpp, measuredAt, 'Not read yet.');
  const entries = Object.entries(contacts).filter(([, list]) => list.length > 0);
  if (entries.length === 0) return fact('contact', 'Contact addresses', true, 'none published', SOURCES.contact.xmpp, measuredAt);
  return fact('contact', 'Contact addresses', true, entries.slice(0, 5).map(([kind, list]) => `${kind}: ${list.slice(0, 3).join(', ')}${list.length > 3 ? ` and ${list.length - 3} more` : ''}`).join(' · '),
    SOURCES.contact.xmpp, measuredAt);
}
