import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';
import { softwareGroupSql } from './software-group-sql.ts';
import { runsProtocolSql } from '../../runs-protocol-sql.ts';

/** Parameters of {@link getSoftwareComparison}. */
export interface SoftwareComparisonParams {
  /** @default both */
  protocol?: Protocol;
  /** Only this software key (an implementation, `unrecognised`, or a shared unrecognised name). @default all */
  software?: string;
}

/** One implementation side by side with the others, from each server's latest state. */
export interface SoftwareComparisonRow {
  protocol: Protocol;
  software: string;
  /** Servers whose last successful probe identified this software. */
  servers: number;
  /** Of those, reachable at their latest probe. */
  reachable: number;
  /** Newest version seen on any of them (numeric compare of dotted parts). */
  newestVersion: string;
  /** Most common version. */
  commonVersion: string;
  versions: number;
  openRegistration: number;
  tlsObserved: number;
  tlsValid: number;
  ipv6: number;
  dnssec: number;
  rooms: number;
  members: number;
  /** Matrix spec versions advertised by at least one server. */
  specVersions: string[];
  /** Latest probe of any of these servers (ISO). */
  lastAt: string | null;
}

// Identity comes from servers_last_ok (a server that is down keeps the software it last ran), and
// reachability from servers_latest. Both are ReplacingMergeTree: FINAL gives one row per server.
// A server that once ran it and shows no sign of the protocol now (beyond the crawl's history
// window: db/runs-protocol-sql.ts) is no longer counted.
// Servers are grouped by their software key (softwareGroupSql): an unrecognised name is a row of its
// own only once enough servers share it.
const sql = `
SELECT protocol, sw AS software,
       count() AS servers,
       countIf(status = 'ok') AS reachable,
       argMax(version, arrayMap(x -> toUInt32OrZero(x), splitByChar('.', version))) AS newestVersion,
       topK(1)(version)[1] AS commonVersion,
       uniqExact(version) AS versions,
       countIf(registration = 'open') AS openRegistration,
       countIf(isNotNull(tls_valid)) AS tlsObserved,
       countIf(tls_valid = true) AS tlsValid,
       countIf(ipv6 = true) AS ipv6,
       countIf(dnssec = true) AS dnssec,
       sum(public_rooms) AS rooms,
       sum(public_members) AS members,
       arraySort(groupUniqArrayArray(spec_versions)) AS specVersions,
       toString(max(latest_at)) AS lastAt
FROM (
  SELECT ok.protocol AS protocol, ${softwareGroupSql('ok.protocol', 'ok.software')} AS sw, ok.version AS version,
         ok.registration AS registration, ok.tls_valid AS tls_valid, ok.ipv6 AS ipv6, ok.dnssec AS dnssec,
         ok.public_rooms AS public_rooms, ok.public_members AS public_members, ok.spec_versions AS spec_versions,
         l.status AS status, l.observed_at AS latest_at
  FROM servers_last_ok AS ok FINAL
  LEFT JOIN (SELECT protocol, domain, status, observed_at FROM servers_latest FINAL) AS l
    ON l.protocol = ok.protocol AND l.domain = ok.domain
  WHERE ({protocol:String} = '' OR ok.protocol = {protocol:String}) AND ${runsProtocolSql('l.status')}
)
WHERE ({software:String} = '' OR sw = {software:String})
GROUP BY protocol, sw
ORDER BY protocol, servers DESC, software`;

/**
 * Implementations compared on their servers' latest state: size, reachability,
 * version spread, registration, TLS/IPv6/DNSSEC health, rooms and spec support.
 * Names no rule knows count under `unrecognised` unless shared by enough
 * servers (softwareGroupSql).
 */
export async function getSoftwareComparison(db: Db, params: SoftwareComparisonParams = {}): Promise<SoftwareComparisonRow[]> {
  const rows = await queryRows<SoftwareComparisonRow>(db, sql, { protocol: params.protocol ?? '', software: params.software ?? '' });
  return rows.map((r) => ({ ...r, lastAt: toIso(r.lastAt) }));
}
