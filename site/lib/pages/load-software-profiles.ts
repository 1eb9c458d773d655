/**
 * The measured profiles of every implementation (issue 15 item 4), for
 * `/software/<name>`, `/software` and `GET /api/v1/software/{name}`: the
 * guide's graded entries (guide/guide.ts) folded per software
 * (guide/profile.ts), with each implementation's upgrade speed from one read
 * of every software's daily versions (db/queries/software/list-version-series.ts)
 * measured as the software page measures it (site/lib/upgrade-speed.ts; a
 * version is a release once the guide's RUBRIC.releaseMinServers ran it).
 * Memoised per store: one computation serves every software page until the
 * next crawl pass changes the numbers.
 */
import type { Db } from '../../../db/client.ts';
import { listVersionSeries, type SoftwareVersionPoint } from '../../../db/queries/software/list-version-series.ts';
import { buildProfiles, summariseUpgrades, type ProtocolProfile } from '../../../guide/profile.ts';
import { RUBRIC } from '../../../guide/rubric.ts';
import { memo, PAGE_STALE_MS } from '../memo.ts';
import { rangeWindow } from '../range-window.ts';
import { upgradeSpeed } from '../upgrade-speed.ts';
import { GUIDE_TTL_MS, guideEntries } from './load-guide.ts';

/** Days of daily versions the upgrade speed is measured over (the software page's own window for 30 days). @default 90 */
export const UPGRADE_WINDOW = '90d';

/** Every protocol's implementation profiles, as of `now` (memoised per store). */
export async function loadSoftwareProfiles(db: Db, now: Date): Promise<ProtocolProfile[]> {
  // Refreshed with the guide's entries it folds (the same reuse and staleness).
  return memo(db, 'guide:software-profiles', () => buildAll(db, now), { ttlMs: GUIDE_TTL_MS, staleMs: PAGE_STALE_MS, now: () => now.getTime() });
}

async function buildAll(db: Db, now: Date): Promise<ProtocolProfile[]> {
  const w = rangeWindow(UPGRADE_WINDOW, now, 'day');
  const [entries, points] = await Promise.all([guideEntries(db, now), listVersionSeries(db, { from: w.from, to: w.to })]);
  const series = new Map<string, SoftwareVersionPoint[]>();
  for (const p of points) {
    const key = `${p.protocol}\t${p.software}`;
    const list = series.get(key);
    if (list) list.push(p);
    else series.set(key, [p]);
  }
  return buildProfiles(entries, {
    upgrades: (protocol, software) => {
      const pts = series.get(`${protocol}\t${software}`);
      return pts ? summariseUpgrades(upgradeSpeed(pts, 6, RUBRIC.releaseMinServers).map((r) => r.daysToHalf)) : null;
    },
  });
}

