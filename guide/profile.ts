/**
 * The measured profile of each implementation (issue 15 item 4): for admins
 * choosing software, what the servers that run it look like, side by side
 * with the other implementations of its protocol. Built in process from the
 * guide's graded entries (guide/guide.ts), so every number here is the same
 * measurement `/choose` filters on.
 *
 * Every number carries what it counts: a median says over how many servers
 * its fact is known, a share says its base. A server whose fact is not known
 * is left out of that number's base, never counted as bad.
 *
 * Groups are software keys as the software pages group them
 * (db/queries/software/software-group-sql.ts): a rule's name, `unknown`
 * (nothing reported), `unrecognised` (a name no rule knows), and
 * `unrecognised:<name>` only while at least {@link MIN_SERVERS_PER_NAME}
 * servers of the protocol report that name. Gateways and room directories
 * (crawler/software-role.ts) are profiled apart from the implementations.
 */
import { parseSoftwareKey, PROTOCOLS, UNKNOWN_SOFTWARE, UNRECOGNISED_PREFIX, UNRECOGNISED_SOFTWARE, type Protocol } from '../crawler/types.ts';
import { softwareRole, type ServerRole } from '../crawler/software-role.ts';
import { MIN_SERVERS_PER_NAME } from '../db/queries/software/software-group-sql.ts';
import type { GuideEntry } from './query.ts';
import { GRADES, type Grade } from './rubric.ts';
import { SIGNUP_CLASSES, SIGNUP_WAYS, type SignupClass, type SignupWay } from './signup.ts';

/** A median and how many values it was taken over. */
export interface Median {
  /** null when no value is known. */
  median: number | null;
  /** Servers whose value is known (the median's base). */
  known: number;
}

/** A count and its base: the share is `count / of` (unknown when `of` is 0). */
export interface Share {
  count: number;
  of: number;
}

/** How fast servers move to a new release (site/lib/upgrade-speed.ts measures each release). */
export interface UpgradeSummary {
  /** Recent releases measured (first seen on the network inside the window). */
  releases: number;
  /** Of those, releases that half of the servers ran (or newer) within the data. */
  reachedHalf: number;
  /** Median days from a release's first sighting until half the servers ran it or newer, over {@link reachedHalf}; null when none. */
  medianDaysToHalf: number | null;
}

/** One feature and the servers that advertise it. */
export interface FeatureCount {
  feature: string;
  servers: number;
}

/** The measured profile of one (protocol, software key). */
export interface ImplementationProfile {
  protocol: Protocol;
  /** The software key (a rule name, `unknown`, `unrecognised` or `unrecognised:<name>`). */
  software: string;
  /** `server` for an implementation of the protocol; gateways and directories are profiled apart. */
  role: ServerRole;
  /** Servers of the guide with this software at their last good probe. */
  servers: number;
  /** Of those, up at their latest probe: the base of every number below. */
  reachable: number;
  /** 30-day uptime (0-1) of reachable servers with at least 7 days measured. */
  uptime30: Median;
  /** A certificate that verifies, of reachable servers whose TLS was observed. */
  tlsValid: Share;
  /** On the newest version the network shows, of reachable servers whose version is known. */
  current: Share;
  /** Days since the installed version was superseded (0: newest), over the same servers as {@link current}. */
  behindDays: Median;
  /** Who can sign up, of reachable servers (the `unknown` class included, so the counts add up to the base). */
  signup: Record<SignupClass, number>;
  /** How, of reachable servers whose sign-up is open or by invitation. */
  ways: Record<SignupWay, number>;
  /** Reachable servers with at least one feature recorded: the base of {@link features}. */
  featuresKnown: number;
  /** The most advertised features of this group, plus the protocol's most advertised ({@link ProtocolProfile.featureColumns}); most servers first. */
  features: FeatureCount[];
  /** Grades of reachable servers (guide/rubric.ts). */
  grades: Record<Grade, number>;
  /** Upgrade speed after recent releases; null when not measured (no release series given, or none for this group). */
  upgrade: UpgradeSummary | null;
}

/** Every profile of one protocol. */
export interface ProtocolProfile {
  protocol: Protocol;
  /** The protocol's server implementations, most reachable servers first. */
  implementations: ImplementationProfile[];
  /** Gateways and room directories answering the protocol (not among the implementations). */
  others: ImplementationProfile[];
  /** Every implementation together (gateways and directories left out), as the reference row. */
  overall: ImplementationProfile;
  /** The protocol's most advertised features (over its implementations), for a side-by-side table. */
  featureColumns: string[];
}

/** Options of {@link buildProfiles}. */
export interface ProfileOptions {
  /** Upgrade speed of a group, from its release series; absent: not measured. */
  upgrades?: (protocol: Protocol, software: string) => UpgradeSummary | null;
  /** Features kept per group (its own most advertised). @default 8 */
  topFeatures?: number;
  /** Feature columns per protocol. @default 6 */
  featureColumns?: number;
}

/** The role of a protocol's own server implementations. */
const SERVER: ServerRole = 'server';

/** The overall row's software key. */
export const OVERALL_KEY = '';

/** The median of `values` (mean of the two middle values for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  // A typed array sorts numerically, and faster than Array#sort with a comparator.
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The upgrade summary of an implementation from the days-to-half of its
 * recent releases (`upgradeSpeed(...).map((r) => r.daysToHalf)`; null: not
 * reached within the data). Null when there is no release to measure.
 */
export function summariseUpgrades(daysToHalf: readonly (number | null)[]): UpgradeSummary | null {
  if (daysToHalf.length === 0) return null;
  const reached = daysToHalf.filter((d): d is number => d !== null);
  return { releases: daysToHalf.length, reachedHalf: reached.length, medianDaysToHalf: median(reached) };
}

/**
 * The group key of a stored software value, as the software pages group it;
 * `shared` holds the `unrecognised:<name>` keys reported by enough servers.
 */
function groupKey(stored: string, shared: ReadonlySet<string>): string {
  const k = parseSoftwareKey(stored);
  if (k.kind === 'named') return k.name;
  if (k.kind === 'unknown') return UNKNOWN_SOFTWARE;
  return k.name !== null && shared.has(stored) ? stored : UNRECOGNISED_SOFTWARE;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * What one group gathers in a single pass over its entries (the fold runs
 * over every server of the guide each time the memo refreshes: at 100,000
 * servers one pass with no per-entry allocation, bench/software-profiles.ts).
 */
interface Tally {
  servers: number;
  up: number;
  uptimes: number[];
  tlsKnown: number;
  tlsValid: number;
  behind: number[];
  signup: Record<SignupClass, number>;
  ways: Record<SignupWay, number>;
  grades: Record<Grade, number>;
  featuresKnown: number;
  /** Per feature: servers advertising it, and the serial of the last entry counted (a server counts a feature once). */
  features: Map<string, { servers: number; last: number }>;
}

const tally = (): Tally => ({
  servers: 0, up: 0, uptimes: [], tlsKnown: 0, tlsValid: 0, behind: [],
  signup: zeros(SIGNUP_CLASSES), ways: zeros(SIGNUP_WAYS), grades: zeros(GRADES), featuresKnown: 0, features: new Map(),
});

/** Count `e` (the `serial`-th entry) into `t`. */
function count(t: Tally, e: GuideEntry, serial: number): void {
  t.servers += 1;
  // Every number below is over the servers up at their latest probe.
  if (e.facts.status !== 'ok') return;
  t.up += 1;
  if (e.uptime30 !== null) t.uptimes.push(e.uptime30);
  if (e.facts.tlsValid !== null) {
    t.tlsKnown += 1;
    if (e.facts.tlsValid) t.tlsValid += 1;
  }
  if (e.behindDays !== null) t.behind.push(e.behindDays);
  t.signup[e.signup.class] += 1;
  if (e.signup.way !== null && (e.signup.class === 'open' || e.signup.class === 'invite')) t.ways[e.signup.way] += 1;
  t.grades[e.grade.grade] += 1;
  const fs = e.facts.features;
  if (fs.length > 0) t.featuresKnown += 1;
  for (const f of fs) {
    const c = t.features.get(f);
    if (!c) t.features.set(f, { servers: 1, last: serial });
    else if (c.last !== serial) {
      c.servers += 1;
      c.last = serial;
    }
  }
}

/** Most servers first, then by name (stable across runs). */
const byServers = (a: FeatureCount, b: FeatureCount) => b.servers - a.servers || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0);

const top = (t: Tally, n: number): FeatureCount[] => [...t.features].map(([feature, c]) => ({ feature, servers: c.servers })).sort(byServers).slice(0, n);

function profileOf(protocol: Protocol, software: string, role: ServerRole, t: Tally, columns: readonly string[], o: ProfileOptions & { topFeatures: number }): ImplementationProfile {
  const own = top(t, o.topFeatures);
  const seen = new Set(own.map((f) => f.feature));
  const features = [...own, ...columns.filter((c) => !seen.has(c)).map((feature) => ({ feature, servers: t.features.get(feature)?.servers ?? 0 }))].sort(byServers);
  let current = 0;
  for (const d of t.behind) if (d === 0) current += 1;
  return {
    protocol, software, role,
    servers: t.servers,
    reachable: t.up,
    uptime30: { median: median(t.uptimes), known: t.uptimes.length },
    tlsValid: { count: t.tlsValid, of: t.tlsKnown },
    current: { count: current, of: t.behind.length },
    behindDays: { median: median(t.behind), known: t.behind.length },
    signup: t.signup, ways: t.ways,
    featuresKnown: t.featuresKnown,
    features,
    grades: t.grades,
    upgrade: software === OVERALL_KEY ? null : o.upgrades?.(protocol, software) ?? null,
  };
}

/** Most reachable servers first, then most servers, then by key. */
const byReach = (a: ImplementationProfile, b: ImplementationProfile) =>
  b.reachable - a.reachable || b.servers - a.servers || (a.software < b.software ? -1 : a.software > b.software ? 1 : 0);

/**
 * The profiles of every implementation of each protocol from the guide's
 * entries (pure). Protocols with no server are left out.
 */
export function buildProfiles(entries: readonly GuideEntry[], options: ProfileOptions = {}): ProtocolProfile[] {
  const o = { topFeatures: 8, featureColumns: 6, ...options };
  // An unrecognised name is a group of its own only when enough servers of its protocol report it (softwareGroupSql's rule).
  const reported = new Map<string, number>();
  for (const e of entries) {
    if (e.facts.software.startsWith(UNRECOGNISED_PREFIX)) {
      const k = `${e.facts.protocol}\t${e.facts.software}`;
      reported.set(k, (reported.get(k) ?? 0) + 1);
    }
  }
  const out: ProtocolProfile[] = [];
  for (const protocol of PROTOCOLS) {
    const shared = new Set([...reported].filter(([k, n]) => n >= MIN_SERVERS_PER_NAME && k.startsWith(`${protocol}\t`)).map(([k]) => k.slice(protocol.length + 1)));
    // Stored value → its group's tally (and whether it is an implementation); few distinct values, parsed once each.
    const byStored = new Map<string, { key: string; t: Tally; server: boolean }>();
    const groups = new Map<string, Tally>();
    const all = tally();
    let serial = 0;
    for (const e of entries) {
      if (e.facts.protocol !== protocol) continue;
      let g = byStored.get(e.facts.software);
      if (!g) {
        const key = groupKey(e.facts.software, shared);
        let t = groups.get(key);
        if (!t) groups.set(key, (t = tally()));
        g = { key, t, server: softwareRole(protocol, key) === SERVER };
        byStored.set(e.facts.software, g);
      }
      serial += 1;
      count(g.t, e, serial);
      if (g.server) count(all, e, serial);
    }
    if (groups.size === 0) continue;
    const featureColumns = top(all, o.featureColumns).map((f) => f.feature);
    const profiles = [...groups].map(([key, t]) => profileOf(protocol, key, softwareRole(protocol, key), t, featureColumns, o)).sort(byReach);
    out.push({
      protocol,
      implementations: profiles.filter((p) => p.role === SERVER),
      others: profiles.filter((p) => p.role !== SERVER),
      overall: profileOf(protocol, OVERALL_KEY, SERVER, all, featureColumns, o),
      featureColumns,
    });
  }
  return out;
}

/** A protocol's side-by-side table around one software. */
export interface ProfileTable {
  protocol: Protocol;
  /** The software the table is about (highlighted); '' for none. */
  focus: string;
  /** At most `limit` implementations, most reachable first, the focus always among them; a gateway or directory focus last. */
  rows: ImplementationProfile[];
  /** Implementations left out of {@link rows} by the limit (fewer reachable servers). */
  omitted: number;
  overall: ImplementationProfile;
  featureColumns: string[];
}

/** A protocol's table of its implementations with no focus (the `/software` comparison): the first `limit`. */
export function protocolTable(p: ProtocolProfile, limit = 20): ProfileTable {
  const rows = p.implementations.slice(0, limit);
  return { protocol: p.protocol, focus: '', rows, omitted: p.implementations.length - rows.length, overall: p.overall, featureColumns: p.featureColumns };
}

/**
 * The table of `software` in each protocol it has servers in: the
 * implementations side by side, cut to `limit` rows with the focus kept.
 */
export function profileTables(profiles: readonly ProtocolProfile[], software: string, limit = 20): ProfileTable[] {
  const out: ProfileTable[] = [];
  for (const p of profiles) {
    const other = p.others.find((r) => r.software === software);
    const inList = p.implementations.findIndex((r) => r.software === software);
    if (!other && inList < 0) continue;
    let rows = p.implementations.slice(0, limit);
    if (inList >= limit) rows = [...p.implementations.slice(0, limit - 1), p.implementations[inList]!];
    out.push({
      protocol: p.protocol, focus: software,
      rows: other ? [...rows, other] : rows,
      omitted: p.implementations.length - rows.length,
      overall: p.overall,
      featureColumns: p.featureColumns,
    });
  }
  return out;
}
