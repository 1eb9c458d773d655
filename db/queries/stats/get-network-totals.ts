import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { chooseAsOf } from './choose-as-of.ts';
import { getNetworkSeries, type NetworkPoint } from './get-network-series.ts';

/** A day's network state, summed over the selected protocols. */
export type NetworkSnapshot = Omit<NetworkPoint, 'protocol'>;

/** Parameters of {@link getNetworkTotals}. */
export interface NetworkTotalsParams {
  /** "Today": the latest day considered. @default the current time */
  now?: Date;
  /** Only this federation. @default both */
  protocol?: Protocol;
  /** How far back the comparison point lies, in days. @default 30 */
  compareDays?: number;
}

/** Headline numbers with their comparison point and coverage. */
export interface NetworkTotals {
  /** The day the totals describe (the latest complete day), or null with no data yet. */
  asOf: string | null;
  /** The comparison day (latest day with data at least `compareDays` before asOf), or null. */
  previousDay: string | null;
  current: NetworkSnapshot | null;
  previous: NetworkSnapshot | null;
  /** `current` per protocol. */
  byProtocol: Partial<Record<Protocol, NetworkSnapshot>>;
  /** Servers probed per day over the window, so a page can show the coverage trend. */
  coverage: { day: string; probed: number }[];
}

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Network totals "as of" the latest complete day (see {@link chooseAsOf}) and
 * the same numbers `compareDays` earlier, read from the daily rollup through
 * {@link getNetworkSeries}. A day still being crawled is never shown as a total.
 */
export async function getNetworkTotals(db: Db, params: NetworkTotalsParams = {}): Promise<NetworkTotals> {
  const now = (params.now ?? new Date()).getTime();
  const compare = params.compareDays ?? 30;
  const points = await getNetworkSeries(db, {
    from: isoDay(now - (compare + 15) * DAY),
    to: isoDay(now),
    step: 'day',
    protocol: params.protocol,
  });
  const byDay = new Map<string, NetworkPoint[]>();
  for (const p of points) byDay.set(p.bucket, [...(byDay.get(p.bucket) ?? []), p]);
  const coverage = [...byDay].map(([day, ps]) => ({ day, probed: ps.reduce((s, p) => s + p.probed, 0) }));
  const asOf = chooseAsOf(coverage);
  if (!asOf) return { asOf: null, previousDay: null, current: null, previous: null, byProtocol: {}, coverage };
  const limit = isoDay(Date.parse(asOf) - compare * DAY);
  const previousDay = [...byDay.keys()].filter((d) => d <= limit).sort().at(-1) ?? null;
  const byProtocol: Partial<Record<Protocol, NetworkSnapshot>> = {};
  for (const p of byDay.get(asOf)!) byProtocol[p.protocol] = sum([p]);
  return {
    asOf,
    previousDay,
    current: sum(byDay.get(asOf)!),
    previous: previousDay ? sum(byDay.get(previousDay)!) : null,
    byProtocol,
    coverage,
  };
}

function sum(points: NetworkPoint[]): NetworkSnapshot {
  const out: NetworkSnapshot = {
    bucket: points[0]!.bucket, probed: 0, reachable: 0, rooms: 0, members: 0, openRegistration: 0,
    tlsObserved: 0, tlsValid: 0, tlsExpiring: 0, dnssecObserved: 0, dnssec: 0, daneObserved: 0, dane: 0,
    ipv6Observed: 0, ipv6: 0, firstAt: null, lastAt: null,
  };
  for (const p of points) {
    for (const k of ['probed', 'reachable', 'rooms', 'members', 'openRegistration', 'tlsObserved', 'tlsValid', 'tlsExpiring',
      'dnssecObserved', 'dnssec', 'daneObserved', 'dane', 'ipv6Observed', 'ipv6'] as const) out[k] += p[k];
    if (p.firstAt && (!out.firstAt || p.firstAt < out.firstAt)) out.firstAt = p.firstAt;
    if (p.lastAt && (!out.lastAt || p.lastAt > out.lastAt)) out.lastAt = p.lastAt;
  }
  return out;
}
