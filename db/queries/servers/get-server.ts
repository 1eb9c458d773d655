import type { Db } from '../../client.ts';
import { parseReportItems, type Protocol, type ReportItem } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';
import { HIDDEN_DOMAINS_SQL } from '../../visibility-sql.ts';
import { runsProtocolSql } from '../../runs-protocol-sql.ts';

/** A server snapshot as stored (`server_snapshots` columns), dates in ISO 8601. */
export interface ServerState {
  observed_at: string | null;
  pass_id: string;
  status: string;
  software: string;
  version_raw: string;
  version: string;
  registration: string;
  features: string[];
  spec_versions: string[];
  tls_version: string;
  tls_issuer: string;
  tls_valid: boolean | null;
  tls_expires_at: string | null;
  dnssec: boolean | null;
  dane: boolean | null;
  ipv4: boolean | null;
  ipv6: boolean | null;
  public_rooms: number;
  public_members: number;
  users: number | null;
  endpoint: string;
  error: string;
  /** Matrix: which room directories answered (crawler/types.ts DIRECTORY_EXPOSURES); '' for XMPP or when not measured. */
  directory: string;
  /** The crawler's step-by-step health report (stored JSON, parsed by crawler/report-item.ts `parseReportItems`). */
  report: ReportItem[];
}

/** One domain on one protocol: its latest probe and its last successful one. */
export interface ServerDetail {
  protocol: Protocol;
  domain: string;
  latest: ServerState;
  /** null when no probe ever succeeded. */
  lastOk: ServerState | null;
}

const COLUMNS = `toString(observed_at) AS observed_at, toString(pass_id) AS pass_id, status, software, version_raw, version,
  registration, features, spec_versions, tls_version, tls_issuer, tls_valid, toString(tls_expires_at) AS tls_expires_at,
  dnssec, dane, ipv4, ipv6, public_rooms, public_members, users, endpoint, error, directory, report`;

const sql = `
SELECT 'latest' AS kind, protocol, domain, ${COLUMNS} FROM servers_latest FINAL
WHERE domain = {domain:String} AND status != 'opted-out' AND ${runsProtocolSql('status')} AND domain NOT IN (${HIDDEN_DOMAINS_SQL})
UNION ALL
SELECT 'ok' AS kind, protocol, domain, ${COLUMNS} FROM servers_last_ok FINAL
WHERE domain = {domain:String} AND domain NOT IN (${HIDDEN_DOMAINS_SQL})`;

type Row = Omit<ServerState, 'report'> & { kind: 'latest' | 'ok'; protocol: Protocol; domain: string; report: string };

/**
 * One server by domain: for each protocol it speaks, the latest state and the
 * last good one. A protocol the domain shows no sign of running
 * (db/runs-protocol-sql.ts) is left out, so a Matrix-only domain has only its
 * Matrix section. Returns `[]` for an unknown, hidden or opted-out domain, or
 * one that runs neither (the page answers 404), so callers need no separate
 * visibility check.
 */
export async function getServer(db: Db, params: { domain: string }): Promise<ServerDetail[]> {
  const rows = await queryRows<Row>(db, sql, { domain: params.domain });
  const out = new Map<Protocol, ServerDetail>();
  for (const r of rows.filter((x) => x.kind === 'latest')) {
    out.set(r.protocol, { protocol: r.protocol, domain: r.domain, latest: state(r), lastOk: null });
  }
  for (const r of rows.filter((x) => x.kind === 'ok')) {
    const d = out.get(r.protocol);
    if (d) d.lastOk = state(r);
  }
  // Matrix first: it is what most visitors look up; then XMPP.
  return [...out.values()].sort((a, b) => a.protocol.localeCompare(b.protocol));
}

function state(r: Row): ServerState {
  const { kind: _k, protocol: _p, domain: _d, ...s } = r;
  // A report cut at the byte cap is not valid JSON: it parses to [], and the page shows the derived report only.
  return { ...s, observed_at: toIso(s.observed_at), tls_expires_at: toIso(s.tls_expires_at), report: parseReportItems(r.report) };
}
