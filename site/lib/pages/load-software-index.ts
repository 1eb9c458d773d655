/**
 * The implementation comparison (`/software`): every implementation side by
 * side on its servers' latest state, plus registration modes and feature
 * support on the latest complete day and share over the chosen range, and
 * the measured profile of each implementation's servers (compact).
 * Software that federates without being a server of the protocol (a gateway,
 * a room directory; site/lib/software-roles.ts) is listed apart and counted in
 * none of the implementations' tables or shares.
 */
import type { Db } from '../../../db/client.ts';
import { getNetworkTotals } from '../../../db/queries/stats/get-network-totals.ts';
import { getSoftwareComparison, type SoftwareComparisonRow } from '../../../db/queries/software/get-software-comparison.ts';
import { getSoftwareSeries } from '../../../db/queries/software/get-software-series.ts';
import { getRegistrationModes } from '../../../db/queries/software/get-registration-modes.ts';
import { getDirectoryExposure } from '../../../db/queries/software/get-directory-exposure.ts';
import { getFeatureAdoption } from '../../../db/queries/software/get-feature-adoption.ts';
import { softwareShareChart } from '../chart-spec.ts';
import { overviewParams, parseQuery, type Range } from '../params.ts';
import { rangeWindow } from '../range-window.ts';
import type { ChartBlock } from './load-overview.ts';
import type { PageResult } from './page-result.ts';
import { memo, PAGE_STALE_MS } from '../memo.ts';
import { isServer, splitByRole } from '../software-roles.ts';
import type { ServerRole } from '../../../crawler/software-role.ts';
import { protocolTable, type ProfileTable } from '../../../guide/profile.ts';
import { loadSoftwareProfiles } from './load-software-profiles.ts';

/** A registration or feature matrix: rows are implementations, cells are server counts. */
export interface Matrix {
  columns: string[];
  rows: { software: string; total: number; cells: number[] }[];
}

/** Everything `/software` renders. */
export interface SoftwareIndexView {
  range: Range;
  asOf: string | null;
  /** The protocol's server implementations (Matrix homeservers, XMPP servers). */
  comparison: Record<'matrix' | 'xmpp', SoftwareComparisonRow[]>;
  /** Software that federates in another role (ejabberd's Matrix gateway, MRS): not among the implementations. */
  others: (SoftwareComparisonRow & { role: ServerRole })[];
  charts: ChartBlock[];
  registration: Record<'matrix' | 'xmpp', Matrix>;
  features: Record<'matrix' | 'xmpp', Matrix>;
  /** Matrix: which public room directories answered Chatlas, per implementation (latest state). */
  directories: Matrix;
  /** The implementations' measured profiles side by side, per protocol with servers (guide/profile.ts). */
  profiles: ProfileTable[];
}

/** Pivot (software, column, servers) rows into a matrix; columns by overall count. */
export function pivot(rows: readonly { software: string; key: string; servers: number }[], maxColumns = 8): Matrix {
  const overall = rows.filter((r) => r.software === '');
  const columns = [...overall].sort((a, b) => b.servers - a.servers).slice(0, maxColumns).map((r) => r.key);
  const bySoftware = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.software === '') continue;
    const m = bySoftware.get(r.software) ?? new Map<string, number>();
    m.set(r.key, r.servers);
    bySoftware.set(r.software, m);
  }
  const out = [...bySoftware].map(([software, m]) => ({
    software,
    total: [...m.values()].reduce((s, n) => s + n, 0),
    cells: columns.map((c) => m.get(c) ?? 0),
  }));
  return { columns, rows: out.sort((a, b) => b.total - a.total || a.software.localeCompare(b.software)) };
}

/** Load `/software` for `url` (reads `?range=`). */
export async function loadSoftwareIndex(db: Db, url: URL, now: Date): Promise<PageResult<SoftwareIndexView>> {
  const q = parseQuery(overviewParams, url.searchParams);
  if (!q.ok) return { kind: 'bad-request', issues: q.issues };
  const range = q.value.range;
  return { kind: 'ok', view: await memo(db, `software-index:${range}`, () => buildSoftwareIndex(db, range, now), { staleMs: PAGE_STALE_MS }) };
}

async function buildSoftwareIndex(db: Db, range: Range, now: Date): Promise<SoftwareIndexView> {
  const w = rangeWindow(range, now);
  const [totals, comparison, series, exposure, profiles] = await Promise.all([
    getNetworkTotals(db, { now }),
    getSoftwareComparison(db),
    getSoftwareSeries(db, w),
    getDirectoryExposure(db),
    loadSoftwareProfiles(db, now),
  ]);
  const day = totals.asOf;
  const [modes, features] = day
    ? await Promise.all([getRegistrationModes(db, { day }), getFeatureAdoption(db, { day, limit: 12 })])
    : [[], []];
  // Only the implementations of each protocol: shares are among its servers, not its gateways or directories.
  const by = <T extends { protocol: 'matrix' | 'xmpp'; software: string }>(rows: T[], p: string) => rows.filter((r) => r.protocol === p && isServer(r));
  return {
    range,
    asOf: day,
    comparison: { matrix: by(comparison, 'matrix'), xmpp: by(comparison, 'xmpp') },
    others: splitByRole(comparison).others,
    charts: (['matrix', 'xmpp'] as const).map((p) => ({
      id: `share-${p}`,
      label: `${p === 'matrix' ? 'Matrix homeserver' : 'XMPP server'} software share over time`,
      source: `Share of reachable servers, each counted once per ${w.step} with its last probe (server_daily_v1).`,
      spec: softwareShareChart(by(series, p)),
    })),
    registration: {
      matrix: pivot(by(modes, 'matrix').map((r) => ({ software: r.software, key: r.registration, servers: r.servers }))),
      xmpp: pivot(by(modes, 'xmpp').map((r) => ({ software: r.software, key: r.registration, servers: r.servers }))),
    },
    // Matrix first, as every other table of the page.
    profiles: [...profiles].sort((a, b) => (a.protocol === b.protocol ? 0 : a.protocol === 'matrix' ? -1 : 1)).map((p) => protocolTable(p, 12)),
    directories: pivot(exposure.map((r) => ({ software: r.software, key: r.directory, servers: r.servers }))),
    features: {
      matrix: pivot(by(features, 'matrix').map((r) => ({ software: r.software, key: r.feature, servers: r.servers })), 6),
      xmpp: pivot(by(features, 'xmpp').map((r) => ({ software: r.software, key: r.feature, servers: r.servers })), 6),
    },
  };
}
