/**
 * How fast servers upgrade after a release, from daily version counts.
 * A release's day is the first day any server ran it (Chatlas cannot know
 * the publication date, only when the network first showed it).
 */
import type { VersionPoint } from '../../db/queries/software/get-version-series.ts';
import { compareVersions } from '../../lib/compare-versions.ts';

/** Adoption of one release. */
export interface ReleaseAdoption {
  version: string;
  /** First day seen on any server. */
  firstSeen: string;
  /** Share (0-1) of servers on this version or newer, 7 and 30 days after; null if not yet that old. */
  after7: number | null;
  after30: number | null;
  /** Days until half the servers ran it or newer; null if not reached in the data. */
  daysToHalf: number | null;
}

/**
 * Adoption of the `limit` most recent releases, newest first. Input must be daily points.
 * A version counts as a release once `minServers` servers ran it on one day (the guide's
 * RELEASE_MIN_SERVERS: one server reporting a made-up 99.0.0 is no release); its day is
 * still the first day any server ran it.
 */
export function upgradeSpeed(points: readonly VersionPoint[], limit = 6, minServers = 1): ReleaseAdoption[] {
  const days = [...new Set(points.map((p) => p.bucket))].sort();
  const byDay = new Map<string, VersionPoint[]>();
  for (const p of points) {
    const list = byDay.get(p.bucket);
    if (list) list.push(p);
    else byDay.set(p.bucket, [p]);
  }
  const firstSeen = new Map<string, string>();
  const peak = new Map<string, number>();
  for (const d of days) {
    for (const p of byDay.get(d)!) {
      if (!p.version) continue;
      if (!firstSeen.has(p.version)) firstSeen.set(p.version, d);
      peak.set(p.version, Math.max(peak.get(p.version) ?? 0, p.servers));
    }
  }
  // The first day of data is not a release day: versions already present then were released earlier.
  const releases = [...firstSeen].filter(([v, d]) => d !== days[0] && peak.get(v)! >= minServers).sort((a, b) => compareVersions(b[0], a[0])).slice(0, limit);
  const shareOn = (day: string, v: string): number | null => {
    const ps = byDay.get(day);
    if (!ps) return null;
    const total = ps.reduce((s, p) => s + p.servers, 0);
    const newer = ps.filter((p) => p.version && compareVersions(p.version, v) >= 0).reduce((s, p) => s + p.servers, 0);
    return total ? newer / total : null;
  };
  const plus = (day: string, n: number) => new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10);
  return releases.map(([version, seen]) => {
    let daysToHalf: number | null = null;
    for (const d of days) {
      if (d < seen) continue;
      const s = shareOn(d, version);
      if (s !== null && s >= 0.5) {
        daysToHalf = Math.round((Date.parse(d) - Date.parse(seen)) / 86_400_000);
        break;
      }
    }
    return { version, firstSeen: seen, after7: shareOn(plus(seen, 7), version), after30: shareOn(plus(seen, 30), version), daysToHalf };
  });
}
