/**
 * Carry forward what a probe did not re-measure (issue 12 item 1): a snapshot
 * row of an ok probe that skipped some kinds of fact (crawler/fact-kinds.ts)
 * takes those kinds' columns, and their health report items, from the server's
 * last good row, so every stored row, and every page and rollup that reads
 * one, shows the last observation of each kind instead of a gap. Pure; the
 * previous rows are read by db/queries/observations/list-carry-sources.ts.
 */
import { CARRIED_FIELDS, FACT_KINDS, kindOfStep, parseMeasured, parseReportItems, parseServerOffer, serializeServerOffer, type CarriedField, type FactKind, type Protocol } from '../crawler/types.ts';
import { MAX_RAW_BYTES, truncateUtf8 } from './rows.ts';

/** The `server_snapshots` column of each carried field. */
export const CARRIED_COLUMNS = {
  features: 'features',
  specVersions: 'spec_versions',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  dane: 'dane',
  users: 'users',
  publicRooms: 'public_rooms',
  publicMembers: 'public_members',
  directory: 'directory',
  registration: 'registration',
  offer: 'offer',
  uploadMaxBytes: 'upload_max',
} as const satisfies Record<CarriedField, string>;

/**
 * The columns a carry source row holds: every carried column, the report, and
 * when it measured each kind (`measured_at` as epoch ms; `observed_at` and
 * `measured` for rows from before `measured_at` was stored, which read `{}`).
 */
export type CarrySource = { [K in (typeof CARRIED_COLUMNS)[CarriedField]]: unknown } & {
  offer: string;
  report: string;
  measured_at: Record<string, number>;
  observed_at: number;
  measured: string[];
};

/** The kinds a snapshot row did not measure, of those that carry something. */
export function unmeasured(measured: readonly string[]): FactKind[] {
  return FACT_KINDS.filter((k) => k !== 'liveness' && !measured.includes(k));
}

/**
 * `row` with the columns of the kinds it did not measure taken from `previous`
 * (the server's last good row), and the previous report items of those kinds'
 * steps added after its own. Rows that are not ok, or measured everything, are
 * returned as they are: a failure is shown as a failure, never dressed in old facts.
 */
export function carryForward<R extends { status: string; protocol: string; measured: readonly string[]; report: string; offer?: string; measured_at?: Record<string, number> }>(row: R, previous: CarrySource | undefined): R {
  if (row.status !== 'ok' || previous === undefined) return row;
  const skipped = unmeasured(row.measured);
  if (skipped.length === 0) return row;
  const out: Record<string, unknown> = { ...row };
  const fields = CARRIED_FIELDS[row.protocol as Protocol];
  if (!fields) return row;
  for (const kind of skipped) {
    for (const field of fields[kind as Exclude<FactKind, 'liveness'>]) {
      const column = CARRIED_COLUMNS[field];
      out[column] = column === 'offer' ? carryOffer(row.offer ?? '', previous.offer) : previous[column];
    }
  }
  // When each kind was measured: this row's own kinds at its time, the skipped ones at the previous row's.
  const at: Record<string, number> = { ...row.measured_at };
  const before = measuredAtOf(previous);
  for (const kind of skipped) if (before[kind] !== undefined) at[kind] = before[kind];
  out['measured_at'] = at;
  // The report: this probe's items, then the previous items of the steps it did not run.
  const own = parseReportItems(row.report);
  const seen = new Set(own.map((i) => `${i.step}\0${i.message}`));
  const kept = parseReportItems(previous.report).filter((i) => skipped.includes(kindOfStep(i.step)) && !seen.has(`${i.step}\0${i.message}`));
  if (kept.length > 0) out.report = truncateUtf8(JSON.stringify([...own, ...kept]), MAX_RAW_BYTES);
  return out as R;
}

/**
 * The offer of a row that skipped `setup`: the provider file and support
 * well-known parts (setup) from the previous row, its own XMPP contact
 * addresses (they come through the observer with every probe: liveness).
 */
export function carryOffer(own: string, previous: string): string {
  const mine = parseServerOffer(own);
  const last = parseServerOffer(previous);
  return serializeServerOffer({ provider: last.provider, support: last.support, contacts: mine.contacts });
}

/**
 * When a carry source measured each kind: its `measured_at`, and for a row from
 * before that column (an empty map) its own time for the kinds it lists as measured.
 */
function measuredAtOf(previous: CarrySource): Record<string, number> {
  const stored = previous.measured_at ?? {};
  if (Object.keys(stored).length > 0) return stored;
  return Object.fromEntries(parseMeasured(previous.measured ?? []).map((k) => [k, previous.observed_at]));
}
