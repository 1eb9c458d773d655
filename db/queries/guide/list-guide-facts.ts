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
 */
import type { Db } from '../../client.ts';
import { isFactKind, parseMeasured, parseServerOffer, PROTOCOLS, REGISTRATION_MODES, SERVER_STATUSES, UNKNOWN_SOFTWARE, UNRECOGNISED_SOFTWARE, type FactKind, type Protocol, type RegistrationMode, type ServerStatus } from '../../../crawler/types.ts';
import { compareVersions } from '../../../lib/compare-versions.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';
import { HIDDEN_DOMAINS_SQL } from '../../visibility-sql.ts';
import { runsProtocolSql } from '../../runs-protocol-sql.ts';
import { streamRows } from '../export/stream-rows.ts';
import type { GuideFacts } from './guide-facts.ts';

/** Days of the long uptime window; also how recently a server must have been up to be listed. */
const LONG_DAYS = 90;
/** Days of the short uptime window. */
const SHORT_DAYS = 30;

/** One row of {@link SERVERS_SQL}, as JSONEachRow gives it. */
interface ServerRow {
  /** '' (the join's default) when there is none. */
  admin_note: string;
  protocol: string;
  domain: string;
  status: string;
  observed_at: string;
  has_ok: number;
  last_ok_at: string;
  software: string;
  version: string;
  registration: string;
  features: string[];
  tls_valid: boolean | null;
  tls_expires_at: string | null;
  ipv4: boolean | null;
  ipv6: boolean | null;
  dnssec: boolean | null;
  dane: boolean | null;
  public_rooms: number;
  public_members: number;
  upload_max: number | null;
  offer: string;
  measured: string[];
  measured_at: Record<string, string>;
  ok30: number;
  probes30: number;
  days30: number;
  ok90: number;
  probes90: number;
  days90: number;
  first_seen_at: string;
}

// The 90 days of server_daily_v1 up to now (a range of its key), joined to the latest and last good rows
// and the first snapshot (one row per server each).
// Columns are named so no output alias shadows a column another clause reads (streamRows does not set
// prefer_column_name_to_alias).
const SERVERS_SQL = `
SELECT l.protocol AS protocol, l.domain AS domain, l.status AS status, toString(l.observed_at) AS observed_at,
       ok.domain != '' AS has_ok, toString(ok.observed_at) AS last_ok_at,
       ok.software AS software, ok.version AS version, ok.registration AS registration, ok.features AS features,
       ok.tls_valid AS tls_valid, toString(ok.tls_expires_at) AS tls_expires_at,
       ok.ipv4 AS ipv4, ok.ipv6 AS ipv6, ok.dnssec AS dnssec, ok.dane AS dane,
       ok.public_rooms AS public_rooms, ok.public_members AS public_members, ok.upload_max AS upload_max,
       ok.offer AS offer, ok.measured AS measured, ok.measured_at AS measured_at,
       u.ok30 AS ok30, u.probes30 AS probes30, u.days30 AS days30,
       u.ok90 AS ok90, u.probes90 AS probes90, u.days90 AS days90, toString(f.since) AS first_seen_at,
       r.note AS admin_note
FROM servers_latest AS l FINAL
INNER JOIN (
  SELECT protocol AS p, domain AS d,
         sumIf(ok_probes, day > {today:Date} - ${SHORT_DAYS}) AS ok30,
         sumIf(probes, day > {today:Date} - ${SHORT_DAYS}) AS probes30,
         uniqExactIf(day, day > {today:Date} - ${SHORT_DAYS}) AS days30,
         sum(ok_probes) AS ok90, sum(probes) AS probes90, uniqExact(day) AS days90
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
    out.set(key, { byVersion, latest: list[0]?.version ?? '' });
  }
  return out;
}

/**
 * The day a newer version than `version` was first seen, or null. A version the
 * table lacks (written after `now`) is placed by comparison among the others.
 */
function supersededOn(releases: Releases | undefined, version: string): string | null {
  if (!releases || !version) return null;
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

/** When each kind of the last good row was measured: its `measured_at`, or for rows from before that column its time for the kinds it lists. */
function measuredAtOf(row: ServerRow): Partial<Record<FactKind, string>> {
  const out: Partial<Record<FactKind, string>> = {};
  if (!row.has_ok) return out;
  const stored = Object.entries(row.measured_at ?? {});
  if (stored.length > 0) {
    for (const [kind, at] of stored) {
      const iso = toIso(at);
      if (isFactKind(kind) && iso) out[kind] = iso;
    }
    return out;
  }
  const at = toIso(row.last_ok_at);
  if (at) for (const kind of parseMeasured(row.measured)) out[kind] = at;
  return out;
}

/** A stored row as the contract's value. */
function factsOf(row: ServerRow & { protocol: Protocol }, releases: Map<string, Releases>): GuideFacts {
  const software = row.software === '' ? UNKNOWN_SOFTWARE : row.software;
  const rel = releases.get(`${row.protocol}\0${software}`);
  const xmpp = row.protocol === 'xmpp';
  return {
    protocol: row.protocol,
    domain: row.domain,
    // A status this code does not know (a newer writer) is not "up".
    status: STATUSES.has(row.status) ? (row.status as ServerStatus) : 'error',
    observedAt: toIso(row.observed_at) ?? new Date(0).toISOString(),
    lastOkAt: row.has_ok ? toIso(row.last_ok_at) : null,
    firstSeenAt: toIso(row.first_seen_at),
    adminNote: row.admin_note ? row.admin_note : null,
    software,
    version: row.version,
    supersededOn: supersededOn(rel, row.version),
    latestVersion: rel?.latest ?? '',
    registration: MODES.has(row.registration) ? (row.registration as RegistrationMode) : 'unknown',
    features: row.features ?? [],
    tlsValid: row.tls_valid,
    tlsExpiresAt: toIso(row.tls_expires_at),
    ipv4: row.ipv4,
    ipv6: row.ipv6,
    // The contract's DNSSEC and DANE are the XMPP client endpoint's (guide-facts.ts); Matrix: not applicable.
    dnssec: xmpp ? row.dnssec : null,
    dane: xmpp ? row.dane : null,
    publicRooms: row.public_rooms,
    publicMembers: row.public_members,
    uploadMaxBytes: row.upload_max,
    offer: parseServerOffer(row.offer),
    uptime30: { ok: row.ok30, probes: row.probes30, days: row.days30 },
    uptime90: { ok: row.ok90, probes: row.probes90, days: row.days90 },
    measuredAt: measuredAtOf(row),
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
  const out: GuideFacts[] = [];
  for await (const row of streamRows<ServerRow>(db, SERVERS_SQL, { today })) {
    if (!PROTOCOL_SET.has(row.protocol)) continue;
    out.push(factsOf(row as ServerRow & { protocol: Protocol }, releases));
  }
  return out;
}
