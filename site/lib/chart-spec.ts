/**
 * Chart data as plain JSON for `<canvas data-chart>`: the Chart component's
 * script turns a ChartSpec into a chart.js config. Building specs here (pure,
 * unit-tested) keeps chart logic out of .astro files and crawled strings out
 * of any script text: they travel only as JSON in an attribute.
 */
import type { NetworkPoint } from '../../db/queries/stats/get-network-series.ts';
import type { SoftwarePoint } from '../../db/queries/software/get-software-series.ts';
import type { VersionPoint } from '../../db/queries/software/get-version-series.ts';
import { metricValue, type MetricDef } from './metrics.ts';
import { softwareColor, softwareName } from './software-names.ts';

/** What the chart script needs. */
export interface ChartSpec {
  type: 'line' | 'bar' | 'doughnut';
  labels: string[];
  /** `color` is one colour, or one per data point (doughnut). */
  datasets: { label: string; data: (number | null)[]; color: string | string[] }[];
  /** Stack datasets (bars and filled lines). */
  stacked?: boolean;
  /** Values are percentages 0-100. */
  percent?: boolean;
  /** Fill lines to the axis (area chart). */
  fill?: boolean;
}

const PROTOCOL_COLOR = { matrix: '#0b7a75', xmpp: '#2563eb' } as const;
const PROTOCOL_LABEL = { matrix: 'Matrix', xmpp: 'XMPP' } as const;
const OTHER = '#9ca3af';

/** Sorted distinct buckets. */
function buckets<T extends { bucket: string }>(points: readonly T[]): string[] {
  return [...new Set(points.map((p) => p.bucket))].sort();
}

/** One metric over time, a line per protocol (shares in percent). */
export function metricChart(points: readonly NetworkPoint[], def: MetricDef): ChartSpec {
  const labels = buckets(points);
  const datasets = (['matrix', 'xmpp'] as const)
    .filter((p) => points.some((x) => x.protocol === p))
    .map((protocol) => {
      const byBucket = new Map(points.filter((x) => x.protocol === protocol).map((x) => [x.bucket, x]));
      return {
        label: PROTOCOL_LABEL[protocol],
        color: PROTOCOL_COLOR[protocol],
        data: labels.map((b) => {
          const x = byBucket.get(b);
          const v = x ? metricValue(def, x) : null;
          return v === null ? null : def.of ? round(v * 100) : v;
        }),
      };
    });
  return { type: 'line', labels, datasets, percent: def.of !== null, stacked: false };
}

/**
 * Software share over time as stacked percentages: the `top` largest
 * implementations (by their servers over the whole range), the rest as "Other".
 */
export function softwareShareChart(points: readonly SoftwarePoint[], top = 7): ChartSpec {
  const labels = buckets(points);
  const totals = new Map<string, number>();
  for (const p of points) totals.set(p.software, (totals.get(p.software) ?? 0) + p.servers);
  const keep = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top).map(([s]) => s);
  const perBucket = new Map<string, number>();
  for (const p of points) perBucket.set(p.bucket, (perBucket.get(p.bucket) ?? 0) + p.servers);
  const value = (b: string, pick: (p: SoftwarePoint) => boolean) => {
    const total = perBucket.get(b) ?? 0;
    const n = points.filter((p) => p.bucket === b && pick(p)).reduce((s, p) => s + p.servers, 0);
    return total ? round((n / total) * 100) : null;
  };
  const datasets = keep.map((s) => ({ label: softwareName(s), color: softwareColor(s), data: labels.map((b) => value(b, (p) => p.software === s)) }));
  if (totals.size > keep.length) datasets.push({ label: 'Other', color: OTHER, data: labels.map((b) => value(b, (p) => !keep.includes(p.software))) });
  return { type: 'line', labels, datasets, stacked: true, percent: true, fill: true };
}

/** Versions of one implementation over time: stacked server counts of the `top` versions, rest as "Other". */
export function versionChart(points: readonly VersionPoint[], top = 6): ChartSpec {
  const labels = buckets(points);
  const last = labels.at(-1);
  // Keep the versions that matter now: largest in the latest bucket, then overall.
  const score = new Map<string, number>();
  for (const p of points) score.set(p.version, (score.get(p.version) ?? 0) + p.servers + (p.bucket === last ? 1e6 * p.servers : 0));
  const keep = [...score].sort((a, b) => b[1] - a[1]).slice(0, top).map(([v]) => v);
  const palette = ['#0b7a75', '#2563eb', '#7c5cbf', '#d97706', '#db2777', '#16a34a'];
  const count = (b: string, pick: (p: VersionPoint) => boolean) =>
    points.filter((p) => p.bucket === b && pick(p)).reduce((s, p) => s + p.servers, 0);
  const datasets = keep.map((v, i) => ({ label: v || 'hidden', color: palette[i % palette.length]!, data: labels.map((b) => count(b, (p) => p.version === v)) }));
  if (score.size > keep.length) datasets.push({ label: 'Other', color: OTHER, data: labels.map((b) => count(b, (p) => !keep.includes(p.version))) });
  return { type: 'bar', labels, datasets, stacked: true };
}

/** A doughnut of parts (e.g. software share today). */
export function doughnutChart(parts: readonly { label: string; value: number; color: string }[]): ChartSpec {
  return {
    type: 'doughnut',
    labels: parts.map((p) => p.label),
    datasets: [{ label: 'Servers', data: parts.map((p) => p.value), color: parts.map((p) => p.color) }],
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
