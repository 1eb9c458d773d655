/**
 * The overview's headline cards: value, change over the comparison window and
 * the line saying where the number comes from. Pure, from NetworkTotals.
 */
import type { NetworkTotals } from '../../db/queries/stats/get-network-totals.ts';
import { formatChange, formatCompact, formatDay, formatNumber, formatPointChange, formatShare, formatTime } from './format.ts';
import { METRICS, metricValue, type MetricDef } from './metrics.ts';

/** One headline card, all strings ready to render (escaped by Astro). */
export interface OverviewCard {
  key: string;
  label: string;
  value: string;
  /** `+12 since 2026-10-01`, or '' without a comparison point. */
  change: string;
  /** `up`, `down` or `flat`, for the arrow and colour; `none` without comparison. */
  trend: 'up' | 'down' | 'flat' | 'none';
  /** Whether the change is good news (colour), from the metric's `better` direction. */
  tone: 'good' | 'bad' | 'neutral';
  /** For shares: `of 1,234 reachable servers with TLS observed`. */
  basis: string;
  describe: string;
  source: string;
}

function basisText(def: MetricDef, whole: number): string {
  if (!def.of) return '';
  const what = def.of === 'reachable' ? 'reachable servers' : 'reachable servers where this was observed';
  return `of ${formatNumber(whole)} ${what}`;
}

/** Cards for every metric in {@link METRICS}; empty without data. */
export function overviewCards(t: NetworkTotals): OverviewCard[] {
  if (!t.current) return [];
  const cur = t.current;
  const prev = t.previous;
  return METRICS.map((def) => {
    const now = metricValue(def, cur);
    const before = prev ? metricValue(def, prev) : null;
    let change = '';
    let trend: OverviewCard['trend'] = 'none';
    if (prev && now !== null && before !== null) {
      const delta = now - before;
      trend = Math.abs(delta) < (def.of ? 0.0005 : 0.5) ? 'flat' : delta > 0 ? 'up' : 'down';
      change = `${def.of ? formatPointChange(now, before) : formatChange(delta)} since ${formatDay(t.previousDay)}`;
    }
    const tone = trend !== 'up' && trend !== 'down' || def.better === null ? 'neutral' : trend === def.better ? 'good' : 'bad';
    return {
      key: def.key,
      tone,
      label: def.label,
      value: def.of ? formatShare(cur[def.part], cur[def.of]) : formatCompact(now),
      change,
      trend,
      basis: def.of ? basisText(def, cur[def.of]) : '',
      describe: def.describe,
      source: def.source,
    };
  });
}

/** The coverage sentence under the headline: how many servers, probed when. */
export function coverageLine(t: NetworkTotals): string {
  if (!t.current) return 'No complete crawl yet: numbers appear after the first full pass.';
  const c = t.current;
  return `As of ${formatDay(t.asOf)}: ${formatNumber(c.probed)} servers probed between ${formatTime(c.firstAt)} and ${formatTime(c.lastAt)}, ${formatNumber(c.reachable)} reachable.`
    + (t.previousDay ? ` Changes compare with ${formatDay(t.previousDay)}.` : ' No comparison point yet.');
}
