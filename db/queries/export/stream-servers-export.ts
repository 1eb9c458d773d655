import type { Db } from '../../client.ts';
import { HIDDEN_DOMAINS_SQL } from '../../visibility-sql.ts';
import { runsProtocolSql } from '../../runs-protocol-sql.ts';
import { streamRows } from './stream-rows.ts';
import type { ServerListRow } from '../servers/list-servers.ts';

/** One server in the bulk export: the server list's row without the TLS expiry and error text. */
export type ServerExportRow = Omit<ServerListRow, 'tls_expires_at' | 'error'>;

/** Export columns in order (the CSV header). */
export const SERVER_EXPORT_COLUMNS = [
  'protocol', 'domain', 'status', 'software', 'version', 'registration', 'public_rooms', 'public_members',
  'tls_valid', 'ipv6', 'dnssec', 'dane', 'observed_at', 'last_ok_at',
] as const;

const sql = `
SELECT l.protocol AS protocol, l.domain AS domain, l.status AS status,
       if(ok.domain = '', l.software, ok.software) AS software, if(ok.domain = '', l.version, ok.version) AS version,
       if(ok.domain = '', l.registration, ok.registration) AS registration,
       if(ok.domain = '', l.public_rooms, ok.public_rooms) AS public_rooms,
       if(ok.domain = '', l.public_members, ok.public_members) AS public_members,
       l.tls_valid AS tls_valid, l.ipv6 AS ipv6, l.dnssec AS dnssec, l.dane AS dane,
       toString(l.observed_at) AS observed_at, if(ok.domain = '', NULL, toString(ok.observed_at)) AS last_ok_at
FROM servers_latest AS l FINAL
LEFT JOIN (SELECT protocol, domain, software, version, registration, public_rooms, public_members, observed_at FROM servers_last_ok FINAL) AS ok
  ON ok.protocol = l.protocol AND ok.domain = l.domain
WHERE l.status != 'opted-out' AND ${runsProtocolSql('l.status')} AND l.domain NOT IN (${HIDDEN_DOMAINS_SQL})
ORDER BY l.protocol, l.domain`;

/** Every visible server, streamed (hidden and opted-out domains, and domains that do not run the protocol, are left out, as on the site). */
export function streamServersExport(db: Db, signal?: AbortSignal): AsyncGenerator<ServerExportRow> {
  return streamRows<ServerExportRow>(db, sql, {}, signal);
}
