/**
 * The measured profile tables as the pages show them (issue 15 item 4):
 * each cell a value and what it counts ("median of 14 servers with 7+ days
 * measured"), "unknown" where nothing is known. Pure, so the page stays a
 * loop over cells (site/pages/software/[name].astro, /software).
 */
import type { ImplementationProfile, Median, ProfileTable, Share } from '../../guide/profile.ts';
import { RUBRIC } from '../../guide/rubric.ts';
import { SIGNUP_WAYS, type SignupWay } from '../../guide/signup.ts';
import { formatNumber } from './format.ts';
import { roleLabel } from './software-roles.ts';
import { softwareHref, softwareName } from './software-names.ts';

/** One cell: the value, and what it counts or why it is unknown. */
export interface ProfileCell {
  value: string;
  note: string;
  /** True when nothing is known (rendered muted). */
  unknown: boolean;
}

/** One row of the side-by-side tables. */
export interface ProfileRowView {
  software: string;
  name: string;
  /** Its page, null for the overall row and a shared unrecognised name. */
  href: string | null;
  /** The software the page is about. */
  focus: boolean;
  /** "Matrix gateway, not a homeserver" for a non-server row. */
  role: string | null;
  servers: ProfileCell;
  uptime: ProfileCell;
  tls: ProfileCell;
  current: ProfileCell;
  behind: ProfileCell;
  upgrade: ProfileCell;
  grades: ProfileCell;
  /** Open, invite or token, closed, not known: shares of servers up. */
  signup: ProfileCell[];
  /** The most common ways of signing up, in words. */
  ways: ProfileCell;
  /** Servers up with features recorded: the base of {@link features}. */
  featuresBase: ProfileCell;
  /** Share advertising each of the table's feature columns. */
  features: ProfileCell[];
}

/** A protocol's table ready to render. */
export interface ProfileTableView {
  protocol: string;
  /** "Matrix homeservers" / "XMPP servers". */
  title: string;
  featureColumns: string[];
  rows: ProfileRowView[];
  /** The protocol's implementations together. */
  overall: ProfileRowView;
  /** Implementations left out for room, in words; '' when none. */
  omitted: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${formatNumber(n)} ${n === 1 ? one : many}`;
const unknown = (note: string): ProfileCell => ({ value: 'unknown', note, unknown: true });
const cell = (value: string, note: string): ProfileCell => ({ value, note, unknown: false });

/** `99.2%`: one decimal, none from 10% up unless the decimals matter near 100%. */
export function percent(x: number): string {
  const p = x * 100;
  if (p >= 99 && p < 100) return `${(Math.floor(p * 10) / 10).toFixed(1)}%`;
  return p >= 10 || p === 0 ? `${Math.round(p)}%` : `${p.toFixed(1)}%`;
}

function share(s: Share, of: string): ProfileCell {
  return s.of === 0 ? unknown(`no server up with ${of}`) : cell(percent(s.count / s.of), `${formatNumber(s.count)} of ${formatNumber(s.of)} with ${of}`);
}

function uptime(m: Median): ProfileCell {
  return m.median === null
    ? unknown(`no server up measured ${RUBRIC.uptimeMinDays}+ days yet`)
    : cell(percent(m.median), `median of ${plural(m.known, 'server')} with ${RUBRIC.uptimeMinDays}+ days measured`);
}

function behind(m: Median): ProfileCell {
  return m.median === null ? unknown('no server up with a known version') : cell(plural(Math.round(m.median), 'day'), `median of ${formatNumber(m.known)} with a known version`);
}

function upgrade(p: ImplementationProfile): ProfileCell {
  const u = p.upgrade;
  if (u === null) return unknown('no release first seen in 90 days');
  if (u.medianDaysToHalf === null) return unknown(`none of ${plural(u.releases, 'recent release')} on half of the servers yet`);
  return cell(plural(Math.round(u.medianDaysToHalf), 'day'), `median of ${formatNumber(u.reachedHalf)} of ${plural(u.releases, 'recent release')}`);
}

function grades(p: ImplementationProfile): ProfileCell {
  const total = p.grades.A + p.grades.B + p.grades.C;
  if (total === 0) return unknown('no server up');
  return cell(`A ${percent(p.grades.A / total)} · B ${percent(p.grades.B / total)} · C ${percent(p.grades.C / total)}`, `of ${plural(total, 'server')} up`);
}

const WAY_WORDS: Record<SignupWay, string> = {
  'in-band': 'in the app', captcha: 'with a CAPTCHA', email: 'with email', sso: 'single sign-on', web: 'on a web page', token: 'token', invite: 'invitation',
};

function ways(p: ImplementationProfile): ProfileCell {
  const total = SIGNUP_WAYS.reduce((s, w) => s + p.ways[w], 0);
  if (total === 0) return unknown('no server up takes sign-ups');
  const top = SIGNUP_WAYS.filter((w) => p.ways[w] > 0).sort((a, b) => p.ways[b] - p.ways[a]).slice(0, 3);
  return cell(top.map((w) => `${WAY_WORDS[w]} ${percent(p.ways[w] / total)}`).join(' · '), `of ${plural(total, 'server')} taking sign-ups`);
}

function signup(p: ImplementationProfile): ProfileCell[] {
  if (p.reachable === 0) return [0, 1, 2, 3].map(() => unknown('no server up'));
  return [p.signup.open, p.signup.invite, p.signup.closed, p.signup.unknown].map((n) => cell(percent(n / p.reachable), `${formatNumber(n)} of ${formatNumber(p.reachable)}`));
}

function features(p: ImplementationProfile, columns: readonly string[]): ProfileCell[] {
  return columns.map((c) => {
    if (p.featuresKnown === 0) return unknown('no server up with features recorded');
    const n = p.features.find((f) => f.feature === c)?.servers ?? 0;
    return cell(percent(n / p.featuresKnown), `${formatNumber(n)} of ${formatNumber(p.featuresKnown)}`);
  });
}

/** One row of the tables. */
export function profileRow(p: ImplementationProfile, columns: readonly string[], focus: string, overallName: string): ProfileRowView {
  const overall = p.software === '';
  return {
    software: p.software,
    name: overall ? overallName : softwareName(p.software),
    href: overall ? null : softwareHref(p.software),
    focus: !overall && p.software === focus,
    role: overall ? null : roleLabel(p.protocol, p.software),
    servers: p.servers === 0 ? unknown('none') : cell(formatNumber(p.reachable), `of ${plural(p.servers, 'server')}`),
    uptime: uptime(p.uptime30),
    tls: share(p.tlsValid, 'TLS observed'),
    current: share(p.current, 'a known version'),
    behind: behind(p.behindDays),
    upgrade: upgrade(p),
    grades: grades(p),
    signup: signup(p),
    ways: ways(p),
    featuresBase: p.featuresKnown === 0 ? unknown('none recorded') : cell(formatNumber(p.featuresKnown), `of ${plural(p.reachable, 'server')} up`),
    features: features(p, columns),
  };
}

const TITLES: Record<string, string> = { matrix: 'Matrix homeservers', xmpp: 'XMPP servers' };

/** A protocol's side-by-side table, ready to render. */
export function profileTableView(t: ProfileTable): ProfileTableView {
  const title = TITLES[t.protocol] ?? t.protocol;
  return {
    protocol: t.protocol,
    title,
    featureColumns: t.featureColumns,
    rows: t.rows.map((r) => profileRow(r, t.featureColumns, t.focus, '')),
    overall: profileRow(t.overall, t.featureColumns, t.focus, `All ${title}`),
    omitted: t.omitted === 0 ? '' : `${plural(t.omitted, 'more implementation')} with fewer servers up not shown.`,
  };
}
