/**
 * One server (`/servers/<domain>`): latest and last good state per protocol,
 * daily history, how it was found, the latest probe's steps with the health
 * report, and its public rooms. Unknown, hidden and opted-out domains are 404.
 */
import type { Db } from '../../../db/client.ts';
import { getServer, type ServerDetail } from '../../../db/queries/servers/get-server.ts';
import { getServerHistory, type ServerDay } from '../../../db/queries/servers/get-server-history.ts';
import { getServerDiscovery, type DiscoveryEdge } from '../../../db/queries/servers/get-server-discovery.ts';
import { getServerObservations, type ObservationRow } from '../../../db/queries/servers/get-server-observations.ts';
import { getServerRequests, type ServerRequests } from '../../../db/queries/servers/get-server-requests.ts';
import { searchRooms, type RoomPage } from '../../../db/queries/rooms/search-rooms.ts';
import type { ChartSpec } from '../chart-spec.ts';
import { healthReport, type Finding } from '../health-report.ts';
import { parseQuery, serverParams, type Range } from '../params.ts';
import { rangeWindow } from '../range-window.ts';
import type { PageResult } from './page-result.ts';
import { guideEntries } from './load-guide.ts';
import { guideRowView, type GuideRowView } from '../guide-row-view.ts';

/** One protocol of the server with its findings. */
export interface ServerSection {
  detail: ServerDetail;
  findings: Finding[];
  observations: ObservationRow[];
  /** Days with a version change: when it upgraded. */
  versionChanges: { day: string; from: string; to: string }[];
  reachability: ChartSpec;
  members: ChartSpec;
  /** Share of probes in the range that answered, 0-1, or null without probes. */
  uptime: number | null;
  /** Requests Chatlas sent it in the last 24 hours, and when each kind of fact was last measured (null: none recorded). */
  requests: ServerRequests | null;
  /** Its grade in the guide (/choose) with the reasons and fixes; null when the guide does not list it (never up in 90 days). */
  guide: GuideRowView | null;
}

/** Everything `/servers/<domain>` renders. */
export interface ServerView {
  domain: string;
  range: Range;
  sections: ServerSection[];
  discovery: DiscoveryEdge[];
  rooms: RoomPage;
}

/** Version changes between consecutive days that ran a known version. */
export function versionChanges(days: readonly ServerDay[]): { day: string; from: string; to: string }[] {
  const out: { day: string; from: string; to: string }[] = [];
  let prev: string | null = null;
  for (const d of days) {
    if (d.status !== 'ok' || !d.version) continue;
    if (prev !== null && d.version !== prev) out.push({ day: d.day, from: prev, to: d.version });
    prev = d.version;
  }
  return out;
}

/** Load `/servers/<domain>`. */
export async function loadServer(db: Db, url: URL, domain: string | undefined, now: Date): Promise<PageResult<ServerView>> {
  const q = parseQuery(serverParams, url.searchParams, { domain });
  if (!q.ok) return q.issues.some((i) => i.field === 'domain') ? { kind: 'not-found' } : { kind: 'bad-request', issues: q.issues };
  const d = q.value.domain;
  const details = await getServer(db, { domain: d });
  if (details.length === 0) return { kind: 'not-found' };
  const w = rangeWindow(q.value.range, now, 'day');
  const [history, discovery, observations, rooms, requests, graded] = await Promise.all([
    getServerHistory(db, { domain: d, from: w.from, to: w.to }),
    getServerDiscovery(db, { domain: d }),
    getServerObservations(db, { domain: d }),
    searchRooms(db, { server: d, limit: 50, now }),
    getServerRequests(db, { domain: d, now }),
    // The guide's graded list, memoised per store and shared with /choose (warmed when serve starts).
    guideEntries(db, now),
  ]);
  const sections = details.map((detail): ServerSection => {
    const days = history.filter((h) => h.protocol === detail.protocol);
    const probes = days.reduce((s, x) => s + x.probes, 0);
    const ok = days.reduce((s, x) => s + x.okProbes, 0);
    const obs = observations.filter((o) => o.protocol === detail.protocol);
    const entry = graded.find((e) => e.facts.domain === d && e.facts.protocol === detail.protocol);
    return {
      detail,
      guide: entry ? guideRowView(entry, now) : null,
      requests: requests.find((r) => r.protocol === detail.protocol) ?? null,
      findings: healthReport(detail, obs, now),
      observations: obs,
      versionChanges: versionChanges(days),
      reachability: {
        type: 'bar', labels: days.map((x) => x.day), stacked: true,
        datasets: [
          { label: 'Answered', color: '#15803d', data: days.map((x) => x.okProbes) },
          { label: 'Failed', color: '#b91c1c', data: days.map((x) => x.probes - x.okProbes) },
        ],
      },
      members: {
        type: 'line', labels: days.map((x) => x.day),
        datasets: [{ label: 'Members in public rooms', color: '#0b7a75', data: days.map((x) => (x.status === 'ok' ? x.members : null)) }],
      },
      uptime: probes ? ok / probes : null,
    };
  });
  return { kind: 'ok', view: { domain: d, range: q.value.range, sections, discovery, rooms } };
}
