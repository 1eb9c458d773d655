/**
 * The guide's one read (issue 15): every server the guide can list, with its
 * facts, its uptime over 30 and 90 days, when it was first seen and its
 * version's release data, in two queries whatever the number of servers.
 *
 * Who is listed: a server that runs the protocol (db/runs-protocol-sql.ts),
 * is not hidden or opted out (db/visibility-sql.ts, and no latest
 * `opted-out` status), and was found up at least once in the 90 days before
 * `now` (a server never up in 90 days is no candidate to join). Its status is
 * the latest probe's (`servers_latest`); its facts are the last good probe's
 * (`servers_last_ok`), so a server down now still shows what it runs, as on
 * the server list (db/queries/servers/list-servers.ts).
 *
 * Sources, each the cheapest exact one:
 * - uptime: `server_daily_v1` (one row per server-day: probes, ok_probes), the
 *   days `[today - 29, today]` and `[today - 89, today]` (UTC days, today being
 *   `now`'s) summed;
 * - first seen: `server_first_seen_v1` (migration 0018), the time of the
 *   first snapshot Chatlas holds of the server, one row per server (min(day) of
 *   `server_daily_v1` is exact to the day too, but scans all history: 2-3 s
 *   more a read at a year of 100,000 servers; `domains.first_seen` is when the
 *   name was first found, which can be long before anything answered);
 * - release data: `software_daily_v1` over all time up to `now`, the first day
 *   each (protocol, software, version) was seen up, of the versions at least
 *   {@link RELEASE_MIN_SERVERS} servers ran on one day (a lone made-up version is no release), ordered by
 *   lib/compare-versions.ts in process (a few hundred rows).
 *
 * Cost at 100,000 servers over 90 days (bench/guide-facts.ts, BENCHMARKS.md "Guide"): the query about
 * 0.9 s, the sum of its parts' own costs (the 9 M server-days summed per server ~0.4 s, the last good
 * rows ~0.3 s, the latest ~0.1 s); 33.5 MB of row text; parsing and mapping in JS ~0.4 s.
 */
import type { Db } from '../../client.ts';
import { isFactKind, parseMeasured, parseServerOffer, PROTOCOLS, REGISTRATION_MODES, SERVER_STATUSES, UNKNOWN_SOFTWARE, UNRECOGNISED_SOFTWARE, type FactKind, type Protocol, type RegistrationMode, type ServerStatus } from '../../../crawler/types.ts';
import { compareVersions } from '../../../lib/compare-versions.ts';
import { queryRows } from '../../query-rows.ts';
import { HIDDEN_DOMAINS_SQL } from '../../visibility-sql.ts';
import { runsProtocolSql } from '../../runs-protocol-sql.ts';
import type { GuideFacts } from './guide-facts.ts';

/** Days of the long uptime window; also how recently a server must have been up to be listed. */
const LONG_DAYS = 90;
/** Days of the short uptime window. */
const SHORT_DAYS = 30;

/**
 * One row of {@link SERVERS_SQL}, as JSONCompactEachRow gives it: an array in the SELECT's column order,
 * so no row's text repeats the column names, and times as numbers, which JS turns into the same ISO
 * text as toIso of ClickHouse's text (see isoFormatter): 33.5 MB at 100,000 servers, 81.5 MB as
 * JSONEachRow objects with ClickHouse's time text.
 */
type ServerRow = [
  protocol: string,
  domain: string,
  status: string,
  /** The latest probe's time, ms since the epoch. */
  observedMs: number,
  hasOk: number,
  /** The last good probe's time, ms since the epoch (0 without one). */
  lastOkMs: number,
  software: string,
  version: string,
  registration: string,
  features: string[],
  tlsValid: boolean | null,
  /** Seconds since the epoch (a DateTime, no milliseconds). */
  tlsExpiresS: number | null,
  ipv4: boolean | null,
  ipv6: boolean | null,
  dnssec: boolean | null,
  dane: boolean | null,
  publicRooms: number,
  publicMembers: number,
  uploadMax: number | null,
  offer: string,
  /** `measured`, sent only when `measured_at` is empty (the only case it is read). */
  measured: string[],
  /** `measured_at`'s kinds, and their times as ms after the last good probe's (0 for most: the probe's own time). */
  measuredKinds: string[],
  measuredDeltaMs: number[],
  ok30: number,
  probes30: number,
  days30: number,
  ok90: number,
  probes90: number,
  days90: number,
  /** ms since the epoch; 0 (the join's default) when there is none. */
  firstSeenMs: number,
  /** '' (the join's default) when there is none. */
  adminNote: string,
];

// The 90 days of server_daily_v1 up to now (a range of its key), joined to the latest and last good rows
// and the first snapshot (one row per server each). The columns are ServerRow's, in its order.
// Columns are named so no output alias shadows a column another clause reads (db.client.query here does
// not set prefer_column_name_to_alias).
//
// Days up: a server has at most one server_daily_v1 row per day once merged, but unmerged parts can hold
// two, hence a count of distinct days. uniqExact(day) over 9 M rows cost about 0.4 s of the read; a bit per
// day OR-ed together (groupBitOr, about nothing) then counted is the same number: bit d of `d30` is the
// day `today - d` for d < 30, bit d of `d90` the day `today - 30 - d` (d < 60), so each fits a UInt64.
const SERVERS_SQL = `
SELECT l.protocol AS protocol, l.domain AS domain, l.status AS status, toUnixTimestamp64Milli(l.observed_at) AS observed_ms,
       ok.domain != '' AS has_ok, toUnixTimestamp64Milli(ok.observed_at) AS last_ok_ms,
       ok.software AS software, ok.version AS version, ok.registration AS registration, ok.features AS features,
       ok.tls_valid AS tls_valid, toUnixTimestamp(ok.tls_expires_at) AS tls_expires_s,
       ok.ipv4 AS ipv4, ok.ipv6 AS ipv6, ok.dnssec AS dnssec, ok.dane AS dane,
       ok.public_rooms AS public_rooms, ok.public_members AS public_members, ok.upload_max AS upload_max,
       ok.offer AS offer, if(empty(ok.measured_at), ok.measured, []) AS measured_list,
       mapKeys(ok.measured_at) AS measured_kinds,
       arrayMap(v -> toUnixTimestamp64Milli(v) - toUnixTimestamp64Milli(ok.observed_at), mapValues(ok.measured_at)) AS measured_delta_ms,
       u.ok30 AS ok30, u.probes30 AS probes30, u.days30 AS days30,
       u.ok90 AS ok90, u.probes90 AS probes90, u.days90 AS days90, toUnixTimestamp64Milli(f.since) AS first_seen_ms,
       r.note AS admin_note
FROM servers_latest AS l FINAL
INNER JOIN (
  SELECT protocol AS p, domain AS d,
         sumIf(ok_probes, day > {today:Date} - ${SHORT_DAYS}) AS ok30,
         sumIf(probes, day > {today:Date} - ${SHORT_DAYS}) AS probes30,
         groupBitOrIf(bitShiftLeft(toUInt64(1), toUInt8({today:Date} - day)), day > {today:Date} - ${SHORT_DAYS}) AS d30,
         groupBitOrIf(bitShiftLeft(toUInt64(1), toUInt8({today:Date} - ${SHORT_DAYS} - day)), day <= {today:Date} - ${SHORT_DAYS}) AS d90,
         bitCount(d30) AS days30, bitCount(d30) + bitCount(d90) AS days90,
         sum(ok_probes) AS ok90, sum(probes) AS probes90
  FROM server_daily_v1
  WHERE day > {today:Date} - ${LONG_DAYS} AND day <= {today:Date}
  GROUP BY protocol, domain
  HAVING ok90 > 0
) AS u ON u.p = l.protocol AND u.d = l.domain
LEFT JOIN (
  SELECT protocol, domain, observed_at, software, version, registration, features, tls_valid, tls_expires_at,
         ipv4, ipv6, dnssec, dane, public_rooms, public_members, upload_max, offer, measured, measured_at
  FROM servers_last_ok FINAL
) AS ok ON ok.protocol = l.protocol AND ok.domain = l.domain
LEFT JOIN (
  SELECT protocol AS p, domain AS d, min(first_at) AS since FROM server_first_seen_v1 GROUP BY protocol, domain
) AS f ON f.p = l.protocol AND f.d = l.domain
LEFT JOIN (
  -- The description of the domain's verified registration (each registration's latest row; the newest wins).
  SELECT domain AS rd, argMax(description, at) AS note FROM (
    SELECT domain, registration_id, argMax(state, updated_at) AS st, argMax(description, updated_at) AS description, max(updated_at) AS at
    FROM registrations GROUP BY domain, registration_id
  ) WHERE st = 'verified' AND description != '' GROUP BY domain
) AS r ON r.rd = l.domain
WHERE l.status != 'opted-out' AND ${runsProtocolSql('l.status')} AND l.domain NOT IN (${HIDDEN_DOMAINS_SQL})`;

/** One row of {@link RELEASES_SQL}. */
interface ReleaseRow {
  protocol: string;
  software: string;
  version: string;
  first_day: string;
}

/**
 * Servers that must have run a version on one day before it counts as a release (the software
 * pages' upgrade speed uses the same rule, site/lib/upgrade-speed.ts): one server reporting a made-up `99.0.0` must not mark every other server of its software
 * out of date. Published with the rubric (guide/rubric.ts).
 */
export const RELEASE_MIN_SERVERS = 2;

// The first day each version of each software was seen up, per protocol, of the versions at least
// RELEASE_MIN_SERVERS servers ran on one day; software that names no one implementation (unknown, unrecognised)
// has no releases to compare.
const RELEASES_SQL = `
SELECT protocol, software, version, toString(min(day)) AS first_day
FROM (
  SELECT day, protocol, software, version, uniqExactMerge(servers) AS n
  FROM software_daily_v1
  WHERE day <= {today:Date} AND version != '' AND software NOT IN ('${UNKNOWN_SOFTWARE}', '${UNRECOGNISED_SOFTWARE}')
  GROUP BY day, protocol, software, version
)
GROUP BY protocol, software, version
HAVING max(n) >= {minServers:UInt32}`;

/** Release data of one (protocol, software): a version's supersededOn and the newest version. */
interface Releases {
  /** Versions newest first, each with the first day it or any newer version was seen. */
  byVersion: { version: string; firstDay: string; newerFrom: string | null }[];
  latest: string;
  /** supersededOn's answer per version asked (most servers of a software run one of a few versions); one read's, so no larger than its rows. */
  memo: Map<string, string | null>;
}

/** Release data per `protocol\0software`, from the first-day rows. */
function releaseIndex(rows: readonly ReleaseRow[]): Map<string, Releases> {
  const groups = new Map<string, ReleaseRow[]>();
  for (const r of rows) {
    const key = `${r.protocol}\0${r.software}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const out = new Map<string, Releases>();
  for (const [key, list] of groups) {
    list.sort((a, b) => compareVersions(b.version, a.version));
    const byVersion: Releases['byVersion'] = [];
    // Walk newest to oldest; `seen` is the earliest first day of every strictly newer version.
    let seen: string | null = null;
    let i = 0;
    while (i < list.length) {
      // Versions that compare equal (never in practice: the store keeps major.minor.patch) share one answer.
      let j = i;
      let groupFirst = list[i]!.first_day;
      while (j + 1 < list.length && compareVersions(list[j + 1]!.version, list[i]!.version) === 0) {
        j += 1;
        if (list[j]!.first_day < groupFirst) groupFirst = list[j]!.first_day;
      }
      for (let k = i; k <= j; k++) byVersion.push({ version: list[k]!.version, firstDay: list[k]!.first_day, newerFrom: seen });
      if (seen === null || groupFirst < seen) seen = groupFirst;
      i = j + 1;
    }
    out.set(key, { byVersion, latest: list[0]?.version ?? '', memo: new Map() });
  }
  return out;
}

/**
 * The day a newer version than `version` was first seen, or null. A version the
 * table lacks (written after `now`) is placed by comparison among the others.
 */
function supersededOn(releases: Releases | undefined, version: string): string | null {
  if (!releases || !version) return null;
  let answer = releases.memo.get(version);
  if (answer === undefined) {
    answer = supersededOnUncached(releases, version);
    releases.memo.set(version, answer);
  }
  return answer;
}

function supersededOnUncached(releases: Releases, version: string): string | null {
  const exact = releases.byVersion.find((v) => v.version === version);
  if (exact) return exact.newerFrom;
  let first: string | null = null;
  for (const v of releases.byVersion) {
    if (compareVersions(v.version, version) > 0 && (first === null || v.firstDay < first)) first = v.firstDay;
  }
  return first;
}

const STATUSES: ReadonlySet<string> = new Set(SERVER_STATUSES);
const MODES: ReadonlySet<string> = new Set(REGISTRATION_MODES);
const PROTOCOL_SET: ReadonlySet<string> = new Set(PROTOCOLS);

/** A day's worth of ms: toIso reads any time on 1970-01-01 (a column's zero, a join's default) as none. */
const DAY_MS = 86_400_000;
/** '00'..'59' and '000'..'999', for the clock part of ISO text. */
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * toIso of ClickHouse's text of a time, from its ms since the epoch: `2026-11-20T11:50:12.061Z` (with
 * `withMs`, a DateTime64(3)) or `2026-11-20T11:50:12Z` (a DateTime), and null on 1970-01-01, exactly
 * Date's toISOString for every year the columns hold. toISOString itself cost about 0.2 s for the
 * read's 400,000 times; here each day's `YYYY-MM-DDT` is made once (one Map per read: the days of
 * 100,000 servers' probes, first sightings and certificate expiries, a few thousand at most) and the
 * clock is arithmetic.
 */
function isoFormatter(): (ms: number, withMs: boolean) => string | null {
  const days = new Map<number, string>();
  return (ms, withMs) => {
    if (ms >= 0 && ms < DAY_MS) return null;
    const day = Math.floor(ms / DAY_MS);
    let prefix = days.get(day);
    if (prefix === undefined) {
      prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
      days.set(day, prefix);
    }
    let t = ms - day * DAY_MS;
    const milli = t % 1000;
    t = (t - milli) / 1000;
    const sec = t % 60;
    t = (t - sec) / 60;
    const min = t % 60;
    const clock = `${PAD2[(t - min) / 60]}:${PAD2[min]}:${PAD2[sec]}`;
    return withMs ? `${prefix}${clock}.${PAD3[milli]}Z` : `${prefix}${clock}Z`;
  };
}
type IsoOf = ReturnType<typeof isoFormatter>;

/**
 * When each kind of the last good row was measured: its `measured_at`, or for rows from before that
 * column its time for the kinds it lists. `lastOkAt` is that row's time, which most kinds share (a
 * delta of 0), so its one string serves them all. Asked only for a server with a last good row.
 */
function measuredAtOf(row: { lastOkMs: number; lastOkAt: string | null; measured: string[]; kinds: string[]; deltas: number[] }, isoOf: IsoOf): Partial<Record<FactKind, string>> {
  const out: Partial<Record<FactKind, string>> = {};
  const { lastOkMs, lastOkAt, measured, kinds, deltas } = row;
  if (kinds.length > 0) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      const iso = deltas[i] === 0 ? lastOkAt : isoOf(lastOkMs + deltas[i]!, true);
      if (isFactKind(kind) && iso) out[kind] = iso;
    }
    return out;
  }
  if (lastOkAt) for (const kind of parseMeasured(measured)) out[kind] = lastOkAt;
  return out;
}

/** A stored row as the contract's value. */
function factsOf(row: ServerRow, releases: Map<string, Releases>, isoOf: IsoOf): GuideFacts {
  const [protocol, domain, status, observedMs, hasOk, lastOkMs, storedSoftware, version, registration, features,
    tlsValid, tlsExpiresS, ipv4, ipv6, dnssec, dane, publicRooms, publicMembers, uploadMax, offer, measured, kinds, deltas,
    ok30, probes30, days30, ok90, probes90, days90, firstSeenMs, adminNote] = row;
  const software = storedSoftware === '' ? UNKNOWN_SOFTWARE : storedSoftware;
  const rel = releases.get(`${protocol}\0${software}`);
  const xmpp = protocol === 'xmpp';
  const lastOkAt = hasOk ? isoOf(lastOkMs, true) : null;
  return {
    protocol: protocol as Protocol,
    domain,
    // A status this code does not know (a newer writer) is not "up".
    status: STATUSES.has(status) ? (status as ServerStatus) : 'error',
    observedAt: isoOf(observedMs, true) ?? new Date(0).toISOString(),
    lastOkAt,
    firstSeenAt: isoOf(firstSeenMs, true),
    adminNote: adminNote ? adminNote : null,
    software,
    version,
    supersededOn: supersededOn(rel, version),
    latestVersion: rel?.latest ?? '',
    registration: MODES.has(registration) ? (registration as RegistrationMode) : 'unknown',
    features,
    tlsValid,
    tlsExpiresAt: tlsExpiresS === null ? null : isoOf(tlsExpiresS * 1000, false),
    ipv4,
    ipv6,
    // The contract's DNSSEC and DANE are the XMPP client endpoint's (guide-facts.ts); Matrix: not applicable.
    dnssec: xmpp ? dnssec : null,
    dane: xmpp ? dane : null,
    publicRooms,
    publicMembers,
    uploadMaxBytes: uploadMax,
    // '' for a server that publishes no offer (most): parseServerOffer gives UNKNOWN_OFFER without parsing.
    offer: parseServerOffer(offer),
    uptime30: { ok: ok30, probes: probes30, days: days30 },
    uptime90: { ok: ok90, probes: probes90, days: days90 },
    measuredAt: hasOk ? measuredAtOf({ lastOkMs, lastOkAt, measured, kinds, deltas }, isoOf) : {},
  };
}

/**
 * Every server the guide can list, with its facts as of `now` (see the file
 * header for who is listed and where each fact comes from). Rows stream from
 * the store, so the 100,000 servers' JSON never sits in memory as one text.
 */
export async function listGuideFacts(db: Db, opts: { now: Date }): Promise<GuideFacts[]> {
  const today = opts.now.toISOString().slice(0, 10);
  const releases = releaseIndex(await queryRows<ReleaseRow>(db, RELEASES_SQL, { today, minServers: RELEASE_MIN_SERVERS }));
  const rs = await db.client.query({
    query: SERVERS_SQL,
    query_params: { today },
    // Arrays of values, not objects (see ServerRow); 64-bit sums and times as JSON numbers (all far below 2^53).
    format: 'JSONCompactEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const isoOf = isoFormatter();
  const out: GuideFacts[] = [];
  for await (const batch of rs.stream()) {
    for (const line of batch as Array<{ json<R>(): R }>) {
      const row = line.json<ServerRow>();
      if (PROTOCOL_SET.has(row[0])) out.push(factsOf(row, releases, isoOf));
    }
  }
  return out;
}
