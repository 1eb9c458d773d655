/**
 * A generated 90-day history for the guide (issue 15 done-when 1): servers of
 * both protocols probed about hourly, each following a designed plan (always
 * up, up 99.5% or 98% of probes, down for the last week, new for 3 days, an
 * old outage outside the 30-day window, …) with a registration mode, a
 * certificate, a version that may be superseded or upgraded on a known day,
 * IPv6, DNSSEC and what the server says about itself, plus seeded filler.
 * Over the last days ({@link GuideHistoryOptions.cadenceDays}) probes follow
 * the crawler's cadence: the first probe that finds a server up on a UTC day
 * measures every kind of fact, the others liveness only, so the latest row's
 * setup facts are the ones the store carried forward. Older probes measure
 * everything, as probes did before kinds of fact; this keeps the fill to a
 * few large inserts, while the carried part is written one probe per server
 * per insert, as a crawl pass writes (the writer carries from the store, not
 * from an earlier probe of the same server in the same batch).
 *
 * The snapshots and observations are what probes write: each one is a clone
 * of a recorded probe result of a real Prosody, ejabberd or Synapse
 * (tests/fixtures/probe-results), healthy or down, with the plan's name,
 * time and facts put in. {@link writeGuideHistory} stores them through the
 * real writer (`insertProbeResults`), so the daily rollups the guide reads
 * (`server_daily_v1`, `software_daily_v1`, …) are filled by the store's own
 * materialized views.
 *
 * The truth ({@link expectedDomains}) is computed from the plans alone: the
 * generated up and down probes are counted here, never by the guide's code.
 * A plan whose answer would depend on where a window starts (29, 30 or 31
 * days, a partial first day) is refused when the truth is asked, so the
 * expected set does not hang on a boundary the guide may draw differently.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { insertProbeResults } from '../../db/queries/observations/insert-probe-results.ts';
import { FACT_KINDS, type Observation, type ProbeResult, type Protocol, type RegistrationMode, type ServerOffer } from '../../crawler/types.ts';
import { loadProbeFixture } from './probe-fixtures.ts';
import { rng } from './synthetic.ts';

const HOUR_MS = 3_600_000;
const IBR = '{http://jabber.org/features/iq-register}register';
const DAY_MS = 86_400_000;

/** Who can sign up, as the plan means it (written by hand per plan, not derived from the guide's mapping). */
export type PlannedSignup = 'open' | 'invite' | 'closed' | 'unknown';

/** The certificate a server serves for the whole history. */
export type PlannedTls = 'valid' | 'expiring' | 'invalid';

/** One server's designed history. */
export interface GuideServerPlan {
  domain: string;
  protocol: Protocol;
  software: 'prosody' | 'ejabberd' | 'synapse';
  /** The version it runs at the start of the history. */
  version: string;
  /** Upgrades to `version` this many days before the end. */
  upgrade?: { daysAgo: number; version: string };
  registration: RegistrationMode;
  /** Who can sign up, by the words (XMPP advertised in-band and web sign-up are open, tokens are invitations). */
  signup: PlannedSignup;
  /** First probe this many days before the end. @default the history's length */
  firstDaysAgo?: number;
  /** Every `downEvery`-th probe (counted back from the latest) fails; the latest never does unless {@link downNow}. */
  downEvery?: number;
  /** Days before the end during which every probe fails: [from, to), from > to. */
  downRanges?: [number, number][];
  /** The latest probe fails (and only it, besides the other patterns). */
  downNow?: boolean;
  tls: PlannedTls;
  /** null: never measured (an AAAA lookup that never answered). */
  ipv6: boolean | null;
  /** XMPP only; Matrix snapshots say null. */
  dnssec?: boolean;
  /** What the server says about itself; null: never read. */
  offer: ServerOffer | null;
  /** XMPP XEP-0363 limit in bytes; null not known. */
  uploadMaxBytes?: number | null;
  /** The grade the published rubric gives it, reasoned by hand from the plan (only where the plan decides every criterion). */
  expectGrade?: 'A' | 'B' | 'C';
  /** Why the plan exists, for failure messages. */
  note: string;
}

/** Options of {@link generateGuideHistory}. */
export interface GuideHistoryOptions {
  /** The end of the history: the latest probe of every server lies in the hour before it. */
  end: Date;
  /** Days of history. @default 90 */
  days?: number;
  /** Minutes between two probes of one server. @default 60 */
  intervalMinutes?: number;
  /** Days at the end during which most probes measure liveness only. @default 2 */
  cadenceDays?: number;
  /** Seeded filler servers per protocol. @default 8 */
  fillerPerProtocol?: number;
  /** PRNG seed of the filler and of the probe offsets. @default 15 */
  seed?: number;
}

/** A generated history: the plans and, per plan, the times of its probes and which of them failed. */
export interface GuideHistory {
  end: Date;
  days: number;
  cadenceDays: number;
  plans: GuideServerPlan[];
  /** Per domain (`protocol:domain`), every probe's time (ms, newest first) and whether it found the server up. */
  probes: Map<string, { at: number; up: boolean }[]>;
}

const contacts = (domain: string): ServerOffer => ({ provider: 'absent', support: null, contacts: { admin: [`xmpp:admin@${domain}`], abuse: [`mailto:abuse@${domain}`] } });
const silent: ServerOffer = { provider: 'absent', support: null, contacts: {} };
const support = (domain: string): ServerOffer => ({ provider: null, support: { contacts: [{ role: 'm.role.admin', matrixId: `@admin:${domain}`, email: '' }], supportPage: `https://${domain}/support` }, contacts: null });

/**
 * The designed servers. XMPP sign-up: `advertised` (in-band registration
 * offered by the stream), `web` (the provider's page) and `captcha` are open;
 * `invite` (XEP-0445 ibr-token, as Snikket does it) and `token` need an
 * invitation; `closed` is closed. The query the browser test makes is
 * "XMPP, open sign-up, 30-day uptime at least 99%".
 */
function designed(): GuideServerPlan[] {
  type Given = Omit<GuideServerPlan, 'domain' | 'protocol' | 'software' | 'version' | 'offer'> & Partial<Pick<GuideServerPlan, 'software' | 'version' | 'offer'>>;
  const x = (name: string, p: Given): GuideServerPlan => {
    const domain = `${name}.xmpp.test`;
    return { domain, protocol: 'xmpp', software: 'prosody', version: '13.0.6', dnssec: true, ...p, offer: p.offer === undefined ? contacts(domain) : p.offer };
  };
  const m = (name: string, p: Omit<Given, 'software'>): GuideServerPlan => {
    const domain = `${name}.matrix.test`;
    return { domain, protocol: 'matrix', software: 'synapse', version: '1.163.2', ...p, offer: p.offer === undefined ? support(domain) : p.offer };
  };
  return [
    x('always', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, expectGrade: 'A', note: 'always up, in-band registration offered' }),
    x('nearly', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, downEvery: 200, expectGrade: 'A', note: 'up 99.5% of probes' }),
    x('shaky', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, downEvery: 50, expectGrade: 'B', note: 'up 98% of probes: below 99%' }),
    x('gone', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, downRanges: [[7, 0]], note: 'down for the last week' }),
    x('fresh', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, firstDaysAgo: 3, note: 'new for 3 days: uptime not known yet' }),
    x('young', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, firstDaysAgo: 12, expectGrade: 'A', note: 'new for 12 days, always up: uptime known' }),
    x('recovered', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, downRanges: [[60, 40]], expectGrade: 'A', note: 'down 60 to 40 days ago: fine over 30 days, not over 90' }),
    x('blip', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, downNow: true, note: 'up 99.9% but down at the latest probe' }),
    x('snikket', { software: 'prosody', registration: 'invite', signup: 'invite', tls: 'valid', ipv6: true, note: 'invitation-only sign-up (ibr-token)' }),
    x('shut', { registration: 'closed', signup: 'closed', tls: 'valid', ipv6: true, note: 'closed' }),
    x('webform', { software: 'ejabberd', version: '26.4.0', registration: 'web', signup: 'open', tls: 'valid', ipv6: true, expectGrade: 'A', note: 'sign-up on the provider\'s web page' }),
    x('captcha', { software: 'ejabberd', version: '26.4.0', registration: 'captcha', signup: 'open', tls: 'valid', ipv6: false, dnssec: false, expectGrade: 'B', note: 'CAPTCHA sign-up; no IPv6 and no DNSSEC: two extras missed' }),
    x('expiring', { registration: 'advertised', signup: 'open', tls: 'expiring', ipv6: true, expectGrade: 'B', note: 'certificate expires in 5 days' }),
    x('badcert', { registration: 'advertised', signup: 'open', tls: 'invalid', ipv6: true, expectGrade: 'C', note: 'certificate does not verify' }),
    x('upgraded', { version: '13.0.2', upgrade: { daysAgo: 20, version: '13.0.6' }, registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, expectGrade: 'A', note: 'upgraded 20 days ago' }),
    x('behind', { version: '13.0.2', registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, expectGrade: 'A', note: 'still on 13.0.2, superseded in the network' }),
    x('unknown6', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: null, offer: null, expectGrade: 'A', note: 'IPv6 and contact never measured: unknown, not missed' }),
    x('nobody', { registration: 'advertised', signup: 'open', tls: 'valid', ipv6: true, offer: silent, expectGrade: 'A', note: 'no contact published: one extra missed' }),
    x('mystery', { registration: 'unknown', signup: 'unknown', tls: 'valid', ipv6: true, note: 'registration not known' }),
    m('open', { registration: 'open', signup: 'open', tls: 'valid', ipv6: true, expectGrade: 'A', note: 'Matrix, open, always up (not XMPP)' }),
    m('token', { registration: 'token', signup: 'invite', tls: 'valid', ipv6: true, note: 'Matrix, registration token' }),
    m('sso', { registration: 'sso', signup: 'open', tls: 'valid', ipv6: true, note: 'Matrix, single sign-on' }),
    m('mas', { registration: 'web', signup: 'open', tls: 'valid', ipv6: false, note: 'Matrix Authentication Service' }),
    m('closed', { registration: 'closed', signup: 'closed', tls: 'valid', ipv6: true, note: 'Matrix, closed' }),
    m('flaky', { registration: 'open', signup: 'open', tls: 'valid', ipv6: true, downEvery: 20, note: 'Matrix, up 95%' }),
    m('unknown6', { registration: 'email', signup: 'open', tls: 'valid', ipv6: null, offer: null, note: 'Matrix, IPv6 and support never measured' }),
  ];
}

/** Seeded filler: more of each protocol, each pattern clearly on one side of 99%. */
function filler(count: number, seed: number): GuideServerPlan[] {
  const r = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const out: GuideServerPlan[] = [];
  const xmppModes: [RegistrationMode, PlannedSignup][] = [['advertised', 'open'], ['advertised', 'open'], ['closed', 'closed'], ['invite', 'invite'], ['web', 'open']];
  const matrixModes: [RegistrationMode, PlannedSignup][] = [['open', 'open'], ['closed', 'closed'], ['token', 'invite'], ['sso', 'open'], ['email', 'open']];
  // 1 in N probes down: never (N 0), 99.5%, 97.5%, 90%.
  const every = [0, 0, 200, 40, 10];
  for (const protocol of ['xmpp', 'matrix'] as const) {
    for (let i = 0; i < count; i++) {
      const [registration, signup] = pick(protocol === 'xmpp' ? xmppModes : matrixModes);
      const downEvery = pick(every);
      const domain = `f${i}.${protocol}-filler.test`;
      out.push({
        domain, protocol,
        software: protocol === 'matrix' ? 'synapse' : pick(['prosody', 'ejabberd'] as const),
        version: '',
        registration, signup,
        ...(downEvery ? { downEvery } : {}),
        ...(r() < 0.2 ? { downRanges: [[Math.floor(5 + r() * 3), 0]] as [number, number][] } : {}),
        tls: r() < 0.85 ? 'valid' : 'expiring',
        ipv6: r() < 0.6,
        ...(protocol === 'xmpp' ? { dnssec: r() < 0.3 } : {}),
        offer: protocol === 'xmpp' ? contacts(domain) : support(domain),
        note: 'filler',
      });
    }
  }
  for (const p of out) p.version = p.software === 'synapse' ? '1.163.2' : p.software === 'prosody' ? '13.0.6' : '26.4.0';
  return out;
}

/** Generate the plans and every probe's time and outcome. Deterministic for one `end` and seed. */
export function generateGuideHistory(options: GuideHistoryOptions): GuideHistory {
  const days = options.days ?? 90;
  const interval = (options.intervalMinutes ?? 60) * 60_000;
  const seed = options.seed ?? 15;
  const end = options.end.getTime();
  const plans = [...designed(), ...filler(options.fillerPerProtocol ?? 8, seed)];
  const r = rng(seed + 1);
  const probes = new Map<string, { at: number; up: boolean }[]>();
  for (const p of plans) {
    // The latest probe 1-50 minutes before the end; then back every interval to the first day.
    const offset = (1 + Math.floor(r() * 50)) * 60_000;
    const first = end - (p.firstDaysAgo ?? days) * DAY_MS;
    const list: { at: number; up: boolean }[] = [];
    for (let k = 0, at = end - offset; at >= first; k++, at -= interval) {
      const ago = (end - at) / DAY_MS;
      let up = true;
      if (p.downEvery && k > 0 && k % p.downEvery === Math.floor(p.downEvery / 2)) up = false;
      if (p.downRanges?.some(([from, to]) => ago < from && ago >= to)) up = false;
      if (p.downNow && k === 0) up = false;
      list.push({ at, up });
    }
    probes.set(`${p.protocol}:${p.domain}`, list);
  }
  return { end: options.end, days, cadenceDays: options.cadenceDays ?? 2, plans, probes };
}

/** The recorded probe results each generated one is cloned from. */
interface Templates { ok: ProbeResult; down: ProbeResult }
const TEMPLATES: Record<GuideServerPlan['software'], { ok: string; down: string }> = {
  prosody: { ok: 'prosody-0.12.3-healthy', down: 'ejabberd-23.01-down' },
  ejabberd: { ok: 'ejabberd-23.01-healthy', down: 'ejabberd-23.01-down' },
  synapse: { ok: 'synapse-1.163.2-healthy', down: 'synapse-1.163.2-down' },
};

/**
 * Steps kept from each recording: the liveness steps that do not name the
 * recorded software or version, so a clone never contradicts its plan. The
 * guide reads snapshots and rollups; these keep the observations table what
 * a probe leaves in it, at a few rows per probe.
 */
const KEPT_STEPS = new Set(['dns.srv.xmpp-client', 'xmpp.c2s-connect', 'xmpp.c2s-features', 'xmpp.s2s-connect', 'matrix.well-known-server', 'matrix.federation-version', 'tls.federation']);

function templates(): Record<GuideServerPlan['software'], Templates> {
  const load = (s: GuideServerPlan['software']) => ({ ok: loadProbeFixture(TEMPLATES[s].ok), down: loadProbeFixture(TEMPLATES[s].down) });
  return { prosody: load('prosody'), ejabberd: load('ejabberd'), synapse: load('synapse') };
}

/** A pass id per hour slot, shared by the servers probed in it (as one crawl pass probes many). */
function passIdOf(at: number): string {
  const h = createHash('sha256').update(`guide-history:${Math.floor(at / HOUR_MS)}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The certificate's end, from the plan. */
function validTo(p: GuideServerPlan, end: number): number {
  return p.tls === 'expiring' ? end + 5 * DAY_MS + 6 * HOUR_MS : end + 60 * DAY_MS;
}

/** One probe of `p` at `at`, cloned from the recording. */
function probeResult(p: GuideServerPlan, t: Templates, at: number, up: boolean, full: boolean, isFirst: boolean, end: number): ProbeResult {
  const source = up ? t.ok : t.down;
  const observedAt = new Date(at);
  const passId = passIdOf(at);
  const version = p.upgrade && end - at < p.upgrade.daysAgo * DAY_MS ? p.upgrade.version : p.version;
  const observations: Observation[] = source.observations.filter((o) => KEPT_STEPS.has(o.step)).map((o, i) => ({
    ...o, passId, domain: p.domain, observedAt: new Date(at + i * 40),
    raw: o.raw.replaceAll(source.snapshot.domain, p.domain),
  }));
  const snapshot = structuredClone(source.snapshot);
  Object.assign(snapshot, { passId, domain: p.domain, observedAt, report: [], publicRooms: 0, publicMembers: 0 });
  if (up) {
    Object.assign(snapshot, {
      software: p.software, versionRaw: version, version,
      registration: p.registration,
      ipv6: p.ipv6,
      dnssec: p.protocol === 'xmpp' ? p.dnssec ?? false : null,
      endpoint: `${p.domain}:${p.protocol === 'xmpp' ? 5222 : 8448}`,
      tls: {
        ...snapshot.tls!,
        issuer: 'CN=Chatlas Test CA, O=Chatlas tests', subject: `CN=${p.domain}`,
        validFrom: new Date(end - 30 * DAY_MS), validTo: new Date(validTo(p, end)),
        chainValid: p.tls !== 'invalid', nameValid: true,
        error: p.tls === 'invalid' ? 'unable to verify the first certificate' : null,
      },
      // XMPP in-band registration is the stream feature the probe sees (crawler/probe/xmpp.ts).
      features: p.protocol === 'xmpp' && p.registration === 'advertised' && !snapshot.features.includes(IBR) ? [...snapshot.features, IBR] : snapshot.features,
      offer: p.offer ?? undefined,
      uploadMaxBytes: p.protocol === 'xmpp' ? p.uploadMaxBytes ?? null : null,
      measured: [...FACT_KINDS],
    });
    // The hourly probe measures liveness only (crawler/policy/cadence.ts): what the other kinds decide is
    // not asked, as the probes leave it (crawler/probe/xmpp.ts, matrix.ts), and the store carries it forward.
    if (!full) {
      Object.assign(snapshot, { measured: ['liveness'], ipv4: null, ipv6: null, dane: p.protocol === 'xmpp' ? null : snapshot.dane, uploadMaxBytes: null });
      // XMPP contact addresses come through the observer on every probe; the provider file and the support well-known are setup.
      snapshot.offer = { provider: null, support: null, contacts: p.protocol === 'xmpp' && p.offer ? p.offer.contacts : null };
      if (p.protocol === 'matrix') Object.assign(snapshot, { features: [], specVersions: [], users: null, registration: 'unknown' });
    }
  } else {
    // The recording's failure, at this server's endpoint.
    snapshot.error = snapshot.error.replaceAll(source.snapshot.domain, p.domain);
  }
  return {
    snapshot, observations, rooms: [],
    discoveries: isFirst ? [{ domain: p.domain, protocol: p.protocol, via: 'seed', sourceDomain: '', foundAt: observedAt }] : [],
  };
}

/** Every probe result of the history, oldest first. */
export function* guideProbeResults(history: GuideHistory): Generator<ProbeResult> {
  const t = templates();
  const all: { p: GuideServerPlan; at: number; up: boolean; full: boolean; isFirst: boolean }[] = [];
  for (const p of history.plans) {
    // Oldest first: before the cadence days every probe that finds it up measures every kind of fact,
    // then only the first that finds it up on a UTC day.
    const list = [...history.probes.get(`${p.protocol}:${p.domain}`)!].reverse();
    const cadenceFrom = history.end.getTime() - history.cadenceDays * DAY_MS;
    let fullDay = -1;
    list.forEach((probe, i) => {
      const day = Math.floor(probe.at / DAY_MS);
      const full = probe.up && (probe.at < cadenceFrom || day !== fullDay);
      if (full) fullDay = day;
      all.push({ p, ...probe, full, isFirst: i === 0 });
    });
  }
  all.sort((a, b) => a.at - b.at);
  const end = history.end.getTime();
  for (const { p, at, up, full, isFirst } of all) yield probeResult(p, t[p.software], at, up, full, isFirst, end);
}

/**
 * Store the history through the crawler's writer, oldest first. Before the
 * cadence days (every probe measured everything) `batch` results per insert;
 * then each insert holds at most one probe per server, as a crawl pass does,
 * so each liveness-only probe is carried forward from the one stored before it.
 * Returns the number of probes.
 */
export async function writeGuideHistory(db: Db, history: GuideHistory, batch = 4000): Promise<number> {
  const cadenceFrom = history.end.getTime() - history.cadenceDays * DAY_MS;
  let pending: ProbeResult[] = [];
  let inPending = new Set<string>();
  let n = 0;
  const flush = async () => {
    await insertProbeResults(db, pending);
    pending = [];
    inPending = new Set();
  };
  for (const r of guideProbeResults(history)) {
    const key = `${r.snapshot.protocol}:${r.snapshot.domain}`;
    const recent = r.snapshot.observedAt.getTime() >= cadenceFrom;
    if (pending.length >= batch || (recent && inPending.has(key))) await flush();
    pending.push(r);
    inPending.add(key);
    n++;
  }
  await flush();
  return n;
}

/** A question the truth can answer: the guide's filters the tests use. */
export interface GuideTruthQuery {
  protocol?: Protocol;
  signup?: PlannedSignup;
  /** At least this share of probes up over the last 30 days, in percent; known only after 7 days measured. */
  uptime30?: number;
  uptime90?: number;
  ipv6?: boolean;
  /** Include servers down at their latest probe. @default false */
  down?: boolean;
}

/**
 * Share of probes up over the last `windowDays`, counted from the generated
 * probes, and the days measured in it; null when fewer than 7 days are.
 * Refuses (throws) a plan whose verdict against `min` would change if the
 * window were a day shorter or longer or started at midnight UTC.
 */
export function plannedUptime(history: GuideHistory, p: GuideServerPlan, windowDays: number, min: number): boolean | null {
  const list = history.probes.get(`${p.protocol}:${p.domain}`)!;
  const end = history.end.getTime();
  const verdicts = new Set<string>();
  const midnight = Math.floor(end / DAY_MS) * DAY_MS;
  // Windows of exactly so many days back from the end, a day shorter or longer, and of whole UTC days
  // counted from the end's day or from the next one (a page read just after midnight).
  const starts = [end - (windowDays - 1) * DAY_MS, end - windowDays * DAY_MS, end - (windowDays + 1) * DAY_MS, midnight - (windowDays - 2) * DAY_MS, midnight - (windowDays - 1) * DAY_MS, midnight - windowDays * DAY_MS];
  for (const from of starts) {
    const inWindow = list.filter((x) => x.at >= from);
    const days = new Set(inWindow.map((x) => Math.floor(x.at / DAY_MS))).size;
    if (inWindow.length === 0 || days < 7) { verdicts.add('unknown'); continue; }
    verdicts.add(String(inWindow.filter((x) => x.up).length / inWindow.length >= min));
  }
  if (verdicts.size !== 1) throw new Error(`${p.domain} (${p.note}): uptime over ${windowDays} days against ${min} depends on the window's edge`);
  const [v] = verdicts;
  return v === 'unknown' ? null : v === 'true';
}

/** The domains the plans say answer `q`, sorted. */
export function expectedDomains(history: GuideHistory, q: GuideTruthQuery): string[] {
  return history.plans.filter((p) => {
    const probes = history.probes.get(`${p.protocol}:${p.domain}`)!;
    if (q.protocol && p.protocol !== q.protocol) return false;
    if (!q.down && !probes[0]!.up) return false;
    if (q.signup && p.signup !== q.signup) return false;
    if (q.uptime30 !== undefined && plannedUptime(history, p, 30, q.uptime30 / 100) !== true) return false;
    if (q.uptime90 !== undefined && plannedUptime(history, p, 90, q.uptime90 / 100) !== true) return false;
    if (q.ipv6 !== undefined && p.ipv6 !== q.ipv6) return false;
    return true;
  }).map((p) => p.domain).sort();
}
