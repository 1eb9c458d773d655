import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';

/** Parameters of {@link getSoftwareComparison}. */
export interface SoftwareComparisonParams {
  /** @default both */
  protocol?: Protocol;
  /** Only this implementation. @default all */
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
const sql = `
SELECT ok.protocol AS protocol, ok.software AS software,
       count() AS servers,
       countIf(l.status = 'ok') AS reachable,
       argMax(ok.version, arrayMap(x -> toUInt32OrZero(x), splitByChar('.', ok.version))) AS newestVersion,
       topK(1)(ok.version)[1] AS commonVersion,
       uniqExact(ok.version) AS versions,
       countIf(ok.registration = 'open') AS openRegistration,
       countIf(isNotNull(ok.tls_valid)) AS tlsObserved,
       countIf(ok.tls_valid = true) AS tlsValid,
       countIf(ok.ipv6 = true) AS ipv6,
       countIf(ok.dnssec = true) AS dnssec,
       sum(ok.public_rooms) AS rooms,
       sum(ok.public_members) AS members,
       arraySort(groupUniqArrayArray(ok.spec_versions)) AS specVersions,
       toString(max(l.observed_at)) AS lastAt
FROM servers_last_ok AS ok FINAL
LEFT JOIN (SELECT protocol, domain, status, observed_at FROM servers_latest FINAL) AS l
  ON l.protocol = ok.protocol AND l.domain = ok.domain
WHERE ({protocol:String} = '' OR ok.protocol = {protocol:String})
  AND ({software:String} = '' OR ok.software = {software:String})
GROUP BY protocol, software
ORDER BY protocol, servers DESC, software`;

/**
 * Implementations compared on their servers' latest state: size, reachability,
 * version spread, registration, TLS/IPv6/DNSSEC health, rooms and spec support.
 */
export async function getSoftwareComparison(db: Db, params: SoftwareComparisonParams = {}): Promise<SoftwareComparisonRow[]> {
  const rows = await queryRows<SoftwareComparisonRow>(db, sql, { protocol: params.protocol ?? '', software: params.software ?? '' });
  return rows.map((r) => ({ ...r, lastAt: toIso(r.lastAt) }));
}
