import type { Db } from '../../client.ts';
import { FACT_KINDS } from '../../../crawler/types.ts';

/** One server's history summary, the input of jobs/crawl/schedule.ts. Times are epoch ms, 0 = none. */
export interface ServerHistoryRow {
  protocol: string;
  domain: string;
  last_at: number;
  last_status: string;
  endpoint: string;
  last_ok_at: number;
  failures_since_ok: number;
  failing_since: number;
  previous_ok_endpoint: string;
  /** Endpoint of the last ok probe ('' when none): what an incremental fold shifts into `previous_ok_endpoint`. */
  last_ok_endpoint: string;
  /** Time of the ok probe before the last one, epoch ms (0 = none in the window). */
  previous_ok_at: number;
  /** The last snapshot's failure code ('' when none), as db/rows.ts wrote it: read with `parseSnapshotFailure`. */
  last_failure: string;
  /**
   * When each kind of fact was last measured (crawler/fact-kinds.ts), epoch ms: kinds and times
   * in two aligned arrays; a kind not measured in the window is absent. Rows stored before
   * kinds were recorded count as measuring every kind.
   */
  measured_at: [string[], number[]];
  /** The registration mode of the last snapshot that measured `register` ('' when none in the window). */
  register_mode: string;
  /** Hash of version and features at the last `register` measurement, and at the last ok snapshot ('0' when none): unequal = changed since. */
  register_hash: string;
  ok_hash: string;
  /** Requests per snapshot over the 25 hours before `asOf` ([epoch ms, requests], oldest first), what the budget counts. */
  recent_requests: [number, number][];
  /** Time of the last snapshot answered 429/503 with Retry-After (`rate_limited`), epoch ms (0 = none in the window). */
  rate_limited_at: number;
  /** The robots.txt Crawl-delay of the last snapshot that read one, seconds, and its time (0 = none in the window). */
  crawl_delay: number;
  crawl_delay_at: number;
}

/** Hours of request counts returned: the budget's rolling day and the hour it started in. */
export const REQUEST_LOG_HOURS = 25;

/**
 * Summarise every server's snapshots in `[asOf - lookback, asOf)`: last probe, status and failure code,
 * last ok probe, the current failure streak (count and start), and the endpoint of the ok
 * probe before the last one (to see a move), and what jobs/crawl/history-cache.ts needs to go
 * on from here (the last ok endpoint, the time of the ok probe before the last); and for the
 * cadence per kind of fact and the request budget (issue 12): when each kind was last measured,
 * what the last registration request answered and whether version or features changed since,
 * the requests sent over the last 25 hours, and the last 429/503 with Retry-After and the last
 * Crawl-delay read (migration 0019), which lower the budget for a week (crawler/policy/cadence.ts).
 *
 * Reads raw `server_snapshots` rather than `servers_latest` because it needs the streak,
 * and because `asOf` must exclude the current pass so a resumed pass re-plans identically.
 * The window bounds the scan; it must exceed twice the schedule's ceiling so a dead server
 * always has at least two probes in it (jobs/crawl/schedule.ts). The LEFT JOIN leaves
 * `last_ok_at` at the epoch for a server with no ok probe in the window.
 */
export async function listServerHistory(db: Db, params: { asOf: Date; lookbackMs: number }): Promise<ServerHistoryRow[]> {
  const rs = await db.client.query({
    query: `WITH
        fromUnixTimestamp64Milli({asOf:Int64}, 'UTC') AS as_of,
        fromUnixTimestamp64Milli({since:Int64}, 'UTC') AS since
      SELECT
        maxMap(s.m, arrayResize(CAST([], 'Array(Int64)'), length(s.m), toUnixTimestamp64Milli(s.observed_at))) AS measured_at,
        argMaxIf(s.registration, s.observed_at, has(s.m, 'register')) AS register_mode,
        toString(argMaxIf(s.h, s.observed_at, has(s.m, 'register') AND s.status = 'ok')) AS register_hash,
        toString(argMaxIf(s.h, s.observed_at, s.status = 'ok')) AS ok_hash,
        groupArrayIf((toUnixTimestamp64Milli(s.observed_at), s.requests), s.requests > 0 AND s.observed_at >= as_of - INTERVAL ${REQUEST_LOG_HOURS} HOUR) AS recent_requests,
        toUnixTimestamp64Milli(maxIf(s.observed_at, s.rate_limited = 1)) AS rate_limited_at,
        argMaxIf(s.crawl_delay, s.observed_at, s.crawl_delay > 0) AS crawl_delay,
        toUnixTimestamp64Milli(maxIf(s.observed_at, s.crawl_delay > 0)) AS crawl_delay_at,
        s.protocol AS protocol,
        s.domain AS domain,
        toUnixTimestamp64Milli(max(s.observed_at)) AS last_at,
        argMax(s.status, s.observed_at) AS last_status,
        argMax(s.endpoint, s.observed_at) AS endpoint,
        argMax(s.failure, s.observed_at) AS last_failure,
        toUnixTimestamp64Milli(any(ok.last_ok_at)) AS last_ok_at,
        countIf(s.observed_at > ok.last_ok_at) AS failures_since_ok,
        toUnixTimestamp64Milli(minIf(s.observed_at, s.observed_at > ok.last_ok_at)) AS failing_since,
        argMaxIf(s.endpoint, s.observed_at, s.status = 'ok' AND s.observed_at < ok.last_ok_at) AS previous_ok_endpoint,
        argMaxIf(s.endpoint, s.observed_at, s.status = 'ok') AS last_ok_endpoint,
        toUnixTimestamp64Milli(maxIf(s.observed_at, s.status = 'ok' AND s.observed_at < ok.last_ok_at)) AS previous_ok_at
      FROM (
        SELECT *, if(empty(measured), {kinds:Array(String)}, CAST(measured, 'Array(String)')) AS m, cityHash64(version_raw, features) AS h
        FROM server_snapshots
        WHERE observed_at < as_of AND observed_at >= since
      ) AS s
      LEFT JOIN (
        SELECT protocol, domain, max(observed_at) AS last_ok_at
        FROM server_snapshots
        WHERE status = 'ok' AND observed_at < as_of AND observed_at >= since
        GROUP BY protocol, domain
      ) AS ok ON s.protocol = ok.protocol AND s.domain = ok.domain
      WHERE s.observed_at < as_of AND s.observed_at >= since
      GROUP BY s.protocol, s.domain`,
    query_params: { asOf: params.asOf.getTime(), since: params.asOf.getTime() - params.lookbackMs, kinds: [...FACT_KINDS] },
    format: 'JSONEachRow',
  });
  return (await rs.json<ServerHistoryRow>()).map((r) => ({
    ...r,
    last_at: Number(r.last_at),
    last_ok_at: Number(r.last_ok_at),
    failures_since_ok: Number(r.failures_since_ok),
    failing_since: Number(r.failing_since),
    previous_ok_at: Number(r.previous_ok_at),
    rate_limited_at: Number(r.rate_limited_at),
    crawl_delay: Number(r.crawl_delay),
    crawl_delay_at: Number(r.crawl_delay_at),
    measured_at: [r.measured_at[0], r.measured_at[1].map(Number)],
    recent_requests: r.recent_requests.map(([at, n]) => [Number(at), Number(n)] as [number, number]).sort((a, b) => a[0] - b[0]),
  }));
}
