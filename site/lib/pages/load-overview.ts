/**
 * The overview page (`/`): headline numbers with 30-day change and coverage,
 * charts over the chosen range, software share.
 */
import type { Db } from '../../../db/client.ts';
import { getNetworkTotals, type NetworkTotals } from '../../../db/queries/stats/get-network-totals.ts';
import { getNetworkSeries } from '../../../db/queries/stats/get-network-series.ts';
import { getSoftwareSeries } from '../../../db/queries/software/get-software-series.ts';
import { getSoftwareShare } from '../../../db/queries/software/get-software-share.ts';
import { getServerChurn } from '../../../db/queries/stats/get-server-churn.ts';
import { doughnutChart, metricChart, softwareShareChart, type ChartSpec } from '../chart-spec.ts';
import { formatDay, formatNumber } from '../format.ts';
import { metricDef } from '../metrics.ts';
import { overviewCards, coverageLine, type OverviewCard } from '../overview-cards.ts';
import { overviewParams, parseQuery, type Range } from '../params.ts';
import { rangeWindow } from '../range-window.ts';
import { softwareColor, softwareName } from '../software-names.ts';
import { isServer, splitByRole } from '../software-roles.ts';
import type { PageResult } from './page-result.ts';
import { memo, PAGE_STALE_MS } from '../memo.ts';

/** A chart with its caption and source line. */
export interface ChartBlock {
  id: string;
  label: string;
  source: string;
  spec: ChartSpec;
}

/** Everything the overview renders. */
export interface OverviewView {
  range: Range;
  totals: NetworkTotals;
  coverage: string;
  cards: OverviewCard[];
  /** Per protocol: servers probed/reachable, rooms, members today. */
  protocols: { protocol: 'matrix' | 'xmpp'; label: string; probed: number; reachable: number; rooms: number; members: number }[];
  charts: ChartBlock[];
  shares: ChartBlock[];
}

/** Load the overview for `url` (reads `?range=`). */
export async function loadOverview(db: Db, url: URL, now: Date): Promise<PageResult<OverviewView>> {
  const q = parseQuery(overviewParams, url.searchParams);
  if (!q.ok) return { kind: 'bad-request', issues: q.issues };
  const { range } = q.value;
  // The rollups change once per probe; a minute of reuse spares the store a burst of visitors.
  return { kind: 'ok', view: await memo(db, `overview:${range}`, () => buildOverview(db, range, now), { staleMs: PAGE_STALE_MS }) };
}

async function buildOverview(db: Db, range: Range, now: Date): Promise<OverviewView> {
  const w = rangeWindow(range, now);
  const [totals, series, software, churn] = await Promise.all([
    getNetworkTotals(db, { now, compareDays: 30 }),
    getNetworkSeries(db, w),
    getSoftwareSeries(db, w),
    getServerChurn(db, w),
  ]);
  const share = totals.asOf ? await getSoftwareShare(db, { day: totals.asOf }) : [];
  const span = `${w.step === 'day' ? 'daily' : w.step === 'week' ? 'weekly' : 'monthly'}, each server counted once per ${w.step} with its last probe`;
  const chart = (key: Parameters<typeof metricDef>[0], label: string): ChartBlock => {
    const def = metricDef(key);
    return { id: key, label, source: `${def.source}; ${span}.`, spec: metricChart(series, def) };
  };
  const charts: ChartBlock[] = [
    chart('reachable', 'Reachable servers'),
    chart('members', 'Members in public rooms'),
    chart('rooms', 'Public rooms'),
    {
      id: 'churn',
      label: 'Servers discovered and lost',
      source: `Discovered: first time a domain was named (seed, SRV, room alias, MUC, registration). Lost: down at every probe for 7+ days, counted at its last good probe; per ${w.step}.`,
      spec: {
        type: 'bar', labels: churn.map((c) => c.bucket),
        datasets: [
          { label: 'Discovered', color: '#15803d', data: churn.map((c) => c.discovered) },
          { label: 'Lost', color: '#b91c1c', data: churn.map((c) => -c.lost) },
        ],
      },
    },
    chart('open_registration', 'Servers with open registration (%)'),
    chart('tls_valid', 'Valid TLS certificates (%)'),
    chart('ipv6', 'Reachable over IPv6 (%)'),
    chart('dnssec', 'DNSSEC-signed (%)'),
  ];
  const shares: ChartBlock[] = [];
  for (const protocol of ['matrix', 'xmpp'] as const) {
    // Shares among the protocol's servers: gateways and directories (site/lib/software-roles.ts) are not implementations.
    const { servers: rows, others } = splitByRole(share.filter((r) => r.protocol === protocol));
    const total = rows.reduce((s, r) => s + r.servers, 0);
    const apart = others.reduce((s, r) => s + r.servers, 0);
    shares.push({
      id: `share-${protocol}`,
      label: `${protocol === 'matrix' ? 'Matrix homeserver' : 'XMPP server'} software on ${formatDay(totals.asOf)}`,
      source: `${formatNumber(total)} reachable servers identified by their version endpoints (Matrix /_matrix/federation/v1/version, XMPP XEP-0092)${apart ? `; ${formatNumber(apart)} gateways and room directories not counted` : ''}.`,
      spec: doughnutChart(rows.map((r) => ({ label: softwareName(r.software), value: r.servers, color: softwareColor(r.software) }))),
    });
    shares.push({
      id: `share-series-${protocol}`,
      label: `${protocol === 'matrix' ? 'Matrix homeserver' : 'XMPP server'} software share over time`,
      source: `Share of reachable servers; ${span}.`,
      spec: softwareShareChart(software.filter((p) => p.protocol === protocol && isServer(p))),
    });
  }
  const protocols = (['matrix', 'xmpp'] as const).map((p) => {
    const s = totals.byProtocol[p];
    return { protocol: p, label: p === 'matrix' ? 'Matrix' : 'XMPP', probed: s?.probed ?? 0, reachable: s?.reachable ?? 0, rooms: s?.rooms ?? 0, members: s?.members ?? 0 };
  });
  return { range, totals, coverage: coverageLine(totals), cards: overviewCards(totals), protocols, charts, shares };
}
