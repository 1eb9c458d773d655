import type { Db } from '../../client.ts';

/** One snapshot, reduced to what a server's history needs. `observed_at` is epoch ms. */
export interface SnapshotStatusRow {
  protocol: string;
  domain: string;
  observed_at: number;
  status: string;
  endpoint: string;
  /** The failure code ('' when none), as db/rows.ts wrote it: read with `parseSnapshotFailure`. */
  failure: string;
  /** Kinds of fact measured (crawler/fact-kinds.ts); [] for rows stored before kinds (read with `parseMeasured`). */
  measured: string[];
  registration: string;
  /** Hash of version and features, as db/queries/frontier/list-server-history.ts computes it. */
  hash: string;
  requests: number;
  /** 1 when the probe was answered 429/503 with Retry-After, and the Crawl-delay it read (0 = none): migration 0019. */
  rate_limited: number;
  crawl_delay: number;
}

/**
 * Every snapshot with `observed_at` in `[from, to)`, oldest first: the rows an
 * incremental history (jobs/crawl/history-cache.ts) folds into what it already holds.
 * Ties are ordered by server so a re-read returns them in the same order.
 */
export async function listSnapshotsBetween(db: Db, params: { from: Date; to: Date }): Promise<SnapshotStatusRow[]> {
  const rs = await db.client.query({
    query: `SELECT protocol, domain, toUnixTimestamp64Milli(observed_at) AS at, status, endpoint, failure,
        measured, registration, toString(cityHash64(version_raw, features)) AS hash, requests, rate_limited, crawl_delay
      FROM server_snapshots
      WHERE observed_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND observed_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
      ORDER BY at, protocol, domain`,
    query_params: { from: params.from.getTime(), to: params.to.getTime() },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ protocol: string; domain: string; at: number | string; status: string; endpoint: string; failure: string; measured: string[]; registration: string; hash: string; requests: number | string; rate_limited: number | string; crawl_delay: number | string }>())
    .map((r) => ({
      protocol: r.protocol, domain: r.domain, observed_at: Number(r.at), status: r.status, endpoint: r.endpoint, failure: r.failure,
      measured: r.measured, registration: r.registration, hash: r.hash, requests: Number(r.requests),
      rate_limited: Number(r.rate_limited), crawl_delay: Number(r.crawl_delay),
    }));
}
