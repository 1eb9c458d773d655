/**
 * One implementation (`/software/<name>`): its numbers today, versions over
 * time, how fast servers upgrade after a release, and its servers' measured
 * profile beside the other implementations of its protocol. A key that stands for
 * another role in one protocol (ejabberd's Matrix gateway) shows that row
 * with its role, and its versions are the servers' only (site/lib/software-roles.ts).
 */
import type { Db } from '../../../db/client.ts';
import { getSoftwareComparison, type SoftwareComparisonRow } from '../../../db/queries/software/get-software-comparison.ts';
import { getVersionSeries } from '../../../db/queries/software/get-version-series.ts';
import { getNetworkTotals } from '../../../db/queries/stats/get-network-totals.ts';
import { getFeatureAdoption, type FeatureAdoptionRow } from '../../../db/queries/software/get-feature-adoption.ts';
import { versionChart } from '../chart-spec.ts';
import { parseQuery, softwareParams, type Range } from '../params.ts';
import { rangeWindow } from '../range-window.ts';
import { softwareName } from '../software-names.ts';
import { upgradeSpeed, type ReleaseAdoption } from '../upgrade-speed.ts';
import type { ChartBlock } from './load-overview.ts';
import type { PageResult } from './page-result.ts';
import { memo, PAGE_STALE_MS } from '../memo.ts';
import { ownVersionsProtocol, roleLabel } from '../software-roles.ts';
import { profileTables, type ProfileTable } from '../../../guide/profile.ts';
import { loadSoftwareProfiles } from './load-software-profiles.ts';
import { RUBRIC } from '../../../guide/rubric.ts';

/** Everything `/software/<name>` renders. */
export interface SoftwareView {
  name: string;
  title: string;
  range: Range;
  /** Per protocol; `role` says what it is there when not a server of it (e.g. `Matrix gateway, not a homeserver`). */
  rows: (SoftwareComparisonRow & { role: string | null })[];
  chart: ChartBlock;
  releases: ReleaseAdoption[];
  features: FeatureAdoptionRow[];
  /** Its measured profile beside the other implementations of each protocol it runs in (guide/profile.ts). */
  profiles: ProfileTable[];
  /** Reachable servers of this software on asOf, for feature shares. */
  reachable: number;
  asOf: string | null;
}

/** Load `/software/<name>`; unknown names are 404. */
export async function loadSoftware(db: Db, url: URL, name: string | undefined, now: Date): Promise<PageResult<SoftwareView>> {
  const q = parseQuery(softwareParams, url.searchParams, { name });
  if (!q.ok) return name && /^[\w.-]{1,64}$/.test(name) ? { kind: 'bad-request', issues: q.issues } : { kind: 'not-found' };
  const { name: sw, range } = q.value;
  const view = await memo(db, `software:${sw}:${range}`, () => buildSoftware(db, sw, range, now), { staleMs: PAGE_STALE_MS });
  return view ? { kind: 'ok', view } : { kind: 'not-found' };
}

async function buildSoftware(db: Db, sw: string, range: Range, now: Date): Promise<SoftwareView | null> {
  const rows = await getSoftwareComparison(db, { software: sw });
  if (rows.length === 0) return null;
  const w = rangeWindow(range, now);
  // Upgrade speed needs daily points over at least the range, and 30 days after a release.
  const daily = rangeWindow(range === '30d' ? '90d' : range, now, 'day');
  // ejabberd's versions are its XMPP servers', not its Matrix gateway module's.
  const own = ownVersionsProtocol(rows);
  const only = own ? { protocol: own } : {};
  const [series, dailySeries, totals, profiles] = await Promise.all([
    getVersionSeries(db, { software: sw, ...w, ...only }),
    w.step === 'day' && daily.from === w.from ? Promise.resolve(null) : getVersionSeries(db, { software: sw, ...daily, ...only }),
    getNetworkTotals(db, { now }),
    loadSoftwareProfiles(db, now),
  ]);
  const asOf = totals.asOf;
  const features = asOf ? (await getFeatureAdoption(db, { day: asOf, software: sw, limit: 30 })).filter((f) => f.software === sw) : [];
  const title = softwareName(sw);
  return {
    name: sw,
    title,
    range,
    rows: rows.map((r) => ({ ...r, role: roleLabel(r.protocol, r.software) })),
    chart: {
      id: 'versions',
      label: `${title} versions over time`,
      source: `Reachable ${title} servers${own ? ` (${own === 'matrix' ? 'Matrix' : 'XMPP'} only)` : ''} per reported version, each counted once per ${w.step} with its last probe.`,
      spec: versionChart(series),
    },
    // A version is a release once as many servers ran it as the guide says (a lone made-up version is none).
    releases: upgradeSpeed(dailySeries ?? series, 6, RUBRIC.releaseMinServers),
    features,
    profiles: profileTables(profiles, sw),
    reachable: rows.reduce((s, r) => s + r.reachable, 0),
    asOf,
  };
}
