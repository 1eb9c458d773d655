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
import { parseSoftwareKey, PROTOCOLS, UNKNOWN_SOFTWARE, UNRECOGNISED_SOFTWARE, type Protocol } from '../crawler/types.ts';
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
  const s = [...values].sort((a, b) => a - b);
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

/** Count of each feature over the group's reachable servers (a server counts each feature once). */
function featureCounts(up: readonly GuideEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of up) for (const f of new Set(e.facts.features)) counts.set(f, (counts.get(f) ?? 0) + 1);
  return counts;
}

/** Most servers first, then by name (stable across runs). */
const byServers = (a: FeatureCount, b: FeatureCount) => b.servers - a.servers || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0);

const top = (counts: Map<string, number>, n: number): FeatureCount[] => [...counts].map(([feature, servers]) => ({ feature, servers })).sort(byServers).slice(0, n);

function profileOf(protocol: Protocol, software: string, role: ServerRole, group: readonly GuideEntry[], columns: readonly string[], o: ProfileOptions & { topFeatures: number }): ImplementationProfile {
  const up = group.filter((e) => e.facts.status === 'ok');
  const uptimes = up.flatMap((e) => (e.uptime30 === null ? [] : [e.uptime30]));
  const tlsKnown = up.filter((e) => e.facts.tlsValid !== null);
  const behind = up.flatMap((e) => (e.behindDays === null ? [] : [e.behindDays]));
  const signup = zeros(SIGNUP_CLASSES);
  const ways = zeros(SIGNUP_WAYS);
  const grades = zeros(GRADES);
  for (const e of up) {
    signup[e.signup.class] += 1;
    if (e.signup.way !== null && (e.signup.class === 'open' || e.signup.class === 'invite')) ways[e.signup.way] += 1;
    grades[e.grade.grade] += 1;
  }
  const counts = featureCounts(up);
  const own = top(counts, o.topFeatures);
  const seen = new Set(own.map((f) => f.feature));
  const features = [...own, ...columns.filter((c) => !seen.has(c)).map((feature) => ({ feature, servers: counts.get(feature) ?? 0 }))].sort(byServers);
  return {
    protocol, software, role,
    servers: group.length,
    reachable: up.length,
    uptime30: { median: median(uptimes), known: uptimes.length },
    tlsValid: { count: tlsKnown.filter((e) => e.facts.tlsValid === true).length, of: tlsKnown.length },
    current: { count: behind.filter((d) => d === 0).length, of: behind.length },
    behindDays: { median: median(behind), known: behind.length },
    signup, ways,
    featuresKnown: up.filter((e) => e.facts.features.length > 0).length,
    features,
    grades,
    upgrade: software === OVERALL_KEY ? null : o.upgrades?.(protocol, software) ?? null,
  };
}

/** Most reachable servers first, then most servers, then by key. */
const byReach = (a: ImplementationProfile, b: ImplementationProfile) =>
  b.reachable - a.reachable || b.servers - a.servers || (a.software < b.software ? -1 : a.software > b.software ? 1 : 0);

/**
 * The profiles of every implementation of each protocol from the guide's
 * entries (one pass; pure). Protocols with no server are left out.
 */
export function buildProfiles(entries: readonly GuideEntry[], options: ProfileOptions = {}): ProtocolProfile[] {
  const o = { topFeatures: 8, featureColumns: 6, ...options };
  const out: ProtocolProfile[] = [];
  for (const protocol of PROTOCOLS) {
    const mine = entries.filter((e) => e.facts.protocol === protocol);
    if (mine.length === 0) continue;
    // An unrecognised name is a group of its own only when enough servers report it (softwareGroupSql's rule).
    const reported = new Map<string, number>();
    for (const e of mine) if (parseSoftwareKey(e.facts.software).kind === 'unrecognised') reported.set(e.facts.software, (reported.get(e.facts.software) ?? 0) + 1);
    const shared = new Set([...reported].filter(([, n]) => n >= MIN_SERVERS_PER_NAME).map(([k]) => k));
    const groups = new Map<string, GuideEntry[]>();
    for (const e of mine) {
      const key = groupKey(e.facts.software, shared);
      const g = groups.get(key);
      if (g) g.push(e);
      else groups.set(key, [e]);
    }
    const servers = [...groups].filter(([key]) => softwareRole(protocol, key) === SERVER);
    const all = servers.flatMap(([, g]) => g);
    const featureColumns = top(featureCounts(all.filter((e) => e.facts.status === 'ok')), o.featureColumns).map((f) => f.feature);
    const profiles = [...groups].map(([key, g]) => profileOf(protocol, key, softwareRole(protocol, key), g, featureColumns, o)).sort(byReach);
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
