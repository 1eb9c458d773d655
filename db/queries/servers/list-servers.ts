import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';
import { HIDDEN_DOMAINS_SQL } from '../../visibility-sql.ts';
import { runsProtocolSql } from '../../runs-protocol-sql.ts';
import { InvalidCursorError } from './invalid-cursor-error.ts';

/** Sort keys and their SQL: the only text ever placed into the ORDER BY (allow-list). */
const SORTS = {
  domain: { expr: 'domain', type: 'String', dir: 'asc', zero: '' },
  software: { expr: 'software', type: 'String', dir: 'asc', zero: '' },
  version: { expr: 'version', type: 'String', dir: 'desc', zero: '' },
  rooms: { expr: 'public_rooms', type: 'UInt64', dir: 'desc', zero: 0 },
  members: { expr: 'public_members', type: 'UInt64', dir: 'desc', zero: 0 },
  observed: { expr: 'observed_at', type: "DateTime64(3, 'UTC')", dir: 'desc', zero: '1970-01-01 00:00:00' },
} as const;

/** Parameters of {@link listServers}; validated by `serverListParams` in site/lib/params.ts. */
export interface ListServersParams {
  protocol?: Protocol;
  software?: string;
  version?: string;
  registration?: string;
  /** `ok`, `down`, `tls-invalid`, `tls-expiring`, `no-ipv6`, `dnssec`, `dane`. */
  health?: string;
  /** Substring of the domain, case-insensitive. */
  q?: string;
  /** @default 'members' */
  sort?: keyof typeof SORTS;
  /** @default per key: asc for text, desc for numbers and time */
  order?: 'asc' | 'desc';
  /** From the previous page's `nextCursor`. */
  cursor?: string;
  /** @default 50 */
  limit?: number;
}

/** One server in the list: latest status, facts from its last successful probe. */
export interface ServerListRow {
  protocol: Protocol;
  domain: string;
  /** Status at the latest probe. */
  status: string;
  software: string;
  version: string;
  registration: string;
  public_rooms: number;
  public_members: number;
  tls_valid: boolean | null;
  tls_expires_at: string | null;
  ipv6: boolean | null;
  dnssec: boolean | null;
  dane: boolean | null;
  /** Latest probe (ISO). */
  observed_at: string | null;
  /** Last successful probe (ISO), null if never. */
  last_ok_at: string | null;
  error: string;
}

/** A page of servers. */
export interface ServerListPage {
  rows: ServerListRow[];
  /** Servers matching the filters, over all pages. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const sql = (sortExpr: string, sortType: string, dir: 'asc' | 'desc') => `
SELECT *, count() OVER () AS total
FROM (
  SELECT l.protocol AS protocol, l.domain AS domain, l.status AS status,
         if(ok.software = '', 'unknown', ok.software) AS software, ok.version AS version,
         if(ok.registration = '', 'unknown', ok.registration) AS registration,
         ok.public_rooms AS public_rooms, ok.public_members AS public_members,
         ok.tls_valid AS tls_valid, ok.tls_expires_at AS tls_expires_at,
         ok.ipv6 AS ipv6, ok.dnssec AS dnssec, ok.dane AS dane,
         l.observed_at AS observed_at, ok.observed_at AS last_ok_at, l.error AS error
  FROM servers_latest AS l FINAL
  LEFT JOIN (SELECT * FROM servers_last_ok FINAL) AS ok ON ok.protocol = l.protocol AND ok.domain = l.domain
  WHERE l.status != 'opted-out' AND ${runsProtocolSql('l.status')} AND l.domain NOT IN (${HIDDEN_DOMAINS_SQL})
)
WHERE ({protocol:String} = '' OR protocol = {protocol:String})
  AND ({software:String} = '' OR software = {software:String})
  AND ({version:String} = '' OR version = {version:String})
  AND ({registration:String} = '' OR registration = {registration:String})
  AND ({q:String} = '' OR positionCaseInsensitive(domain, {q:String}) > 0)
  AND multiIf(
    {health:String} = '', true,
    {health:String} = 'ok', status = 'ok',
    {health:String} = 'down', status != 'ok',
    {health:String} = 'tls-invalid', tls_valid = false,
    {health:String} = 'tls-expiring', tls_valid = true AND tls_expires_at < now() + INTERVAL 14 DAY,
    {health:String} = 'no-ipv6', ipv6 = false,
    {health:String} = 'dnssec', dnssec = true,
    {health:String} = 'dane', dane = true,
    false)
  AND ({hasCursor:UInt8} = 0 OR (${sortExpr}, protocol, domain) ${dir === 'asc' ? '>' : '<'} ({ck:${sortType}}, {cp:String}, {cd:String}))
ORDER BY ${sortExpr} ${dir.toUpperCase()}, protocol ${dir.toUpperCase()}, domain ${dir.toUpperCase()}
LIMIT {limit:UInt32}`;

/**
 * Servers with filters, an allow-listed sort and keyset (cursor) paging, from
 * the latest state (`servers_latest`) joined to the last successful state
 * (`servers_last_ok`), so a server that is down still shows what it runs.
 * Hidden and opted-out servers never appear, nor a domain that shows no sign
 * of running the protocol (db/runs-protocol-sql.ts).
 * @throws {InvalidCursorError} when `cursor` was not issued for this sort.
 */
export async function listServers(db: Db, params: ListServersParams = {}): Promise<ServerListPage> {
  const sortKey = params.sort ?? 'members';
  const sort = SORTS[sortKey];
  if (!sort) throw new TypeError(`unknown sort ${JSON.stringify(sortKey)}`);
  const dir = params.order ?? sort.dir;
  const limit = params.limit ?? 50;
  const cursor = params.cursor ? decodeCursor(params.cursor, sortKey, dir) : null;
  const rows = await queryRows<ServerListRow & { total: number }>(db, sql(sort.expr, sort.type, dir), {
    protocol: params.protocol ?? '', software: params.software ?? '', version: params.version ?? '',
    registration: params.registration ?? '', health: params.health ?? '', q: params.q ?? '',
    hasCursor: cursor ? 1 : 0, ck: cursor ? cursor.k : sort.zero, cp: cursor?.p ?? '', cd: cursor?.d ?? '',
    limit: limit + 1,
  });
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map(({ total: _t, ...r }) => ({
      ...r,
      observed_at: toIso(r.observed_at),
      last_ok_at: toIso(r.last_ok_at),
      tls_expires_at: toIso(r.tls_expires_at),
    })),
    // count() OVER () is computed before the keyset condition's LIMIT but after it filters, so on
    // later pages it counts only what is left; the first page carries the full total.
    total: rows[0]?.total ?? 0,
    nextCursor: more && last ? encodeCursor(sortKey, dir, (last as unknown as Record<string, string | number>)[sort.expr]!, last.protocol, last.domain) : null,
  };
}

function encodeCursor(sort: string, dir: string, k: string | number, p: string, d: string): string {
  return Buffer.from(JSON.stringify([sort, dir, k, p, d])).toString('base64url');
}

function decodeCursor(cursor: string, sort: string, dir: string): { k: string | number; p: string; d: string } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one Chatlas issued');
  }
  if (!Array.isArray(v) || v.length !== 5 || v[0] !== sort || v[1] !== dir
    || !(typeof v[2] === 'string' || typeof v[2] === 'number') || typeof v[3] !== 'string' || typeof v[4] !== 'string') {
    throw new InvalidCursorError('the cursor does not belong to this sort; start again from the first page');
  }
  return { k: v[2], p: v[3], d: v[4] };
}
