import type { Db } from '../../client.ts';
import { bucketEnd } from './bucket-end.ts';
import { bucketSql, type Step } from './bucket-sql.ts';
import { liveCellsSql, NETWORK_CELLS_DEFINITION } from './live-cells-sql.ts';
import { planNetworkCells } from './plan-network-cells.ts';
import { TupleParam } from '@clickhouse/client';

/** Parameters of {@link refreshNetworkBuckets}. */
export interface RefreshNetworkBucketsParams {
  step: Step;
  /** Buckets that ended `graceMs` before `now` (UTC days) are closed and get written. @default the current time */
  now?: Date;
  /**
   * How long after a bucket's end it is left live, so a pass running across midnight has stored its
   * last batches before the bucket is written (a later observation is still caught, at the cost of a
   * rewrite). @default 3_600_000
   */
  graceMs?: number;
  /** Buckets written in one call at most, oldest first (a first run over years of history is spread over rounds). @default 400 */
  maxBuckets?: number;
}

/** What one call did. */
export interface RefreshNetworkBucketsResult {
  /** (bucket, protocol) pairs computed and written. */
  written: number;
  /** Closed pairs still missing or stale after this call (beyond `maxBuckets`). */
  pending: number;
}

// The computation's source_probes is the window sum of its own cells' probes: it describes exactly the
// server-days this SELECT read, so a probe landing during the INSERT makes the rows stale, never wrong.
const sql = (bucket: string) => `
INSERT INTO network_buckets_v1 (step, bucket, protocol, software, version, registration, computed_at, definition, source_probes, probes,
  probed, reachable, rooms, members, tls_observed, tls_ok, tls_expiring, dnssec_observed, dnssec_on, dane_observed, dane_on,
  ipv6_observed, ipv6_on, first_at, last_at)
SELECT {step:String}, bucket, protocol, software, version, registration, now64(3, 'UTC'), {definition:UInt8},
       sum(probes) OVER (PARTITION BY bucket, protocol), probes,
       probed, reachable, rooms, members, tls_observed, tls_ok, tls_expiring, dnssec_observed, dnssec_on, dane_observed, dane_on,
       ipv6_observed, ipv6_on, first_at, last_at
FROM (${liveCellsSql(bucket)})`;

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Write the network rollup (`network_buckets_v1`) of every closed `step`
 * bucket that has none yet or whose stored computation no longer matches
 * `server_daily_v1` (late observations): one INSERT per bucket, both protocols
 * at once, so each aggregation reads at most a month of server-days.
 * Idempotent: a bucket already up to date is skipped, and rewriting one gives
 * the same rows under a newer computed_at.
 */
export async function refreshNetworkBuckets(db: Db, params: RefreshNetworkBucketsParams): Promise<RefreshNetworkBucketsResult> {
  const { step } = params;
  const yesterday = isoDay((params.now ?? new Date()).getTime() - (params.graceMs ?? 3_600_000) - 86_400_000);
  // From the start of time: the plan reads one column of server_daily_v1, and no bucket is cut.
  const { buckets } = await planNetworkCells(db, { from: '1970-01-01', to: yesterday, step });
  const todo = buckets.filter((b) => b.complete && !b.useStored);
  const byBucket = new Map<string, string[]>();
  for (const b of todo) byBucket.set(b.bucket, [...(byBucket.get(b.bucket) ?? []), b.protocol]);
  const chosen = [...byBucket].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, params.maxBuckets ?? 400);
  let written = 0;
  for (const [bucket, protocols] of chosen) {
    await db.client.command({
      query: sql(bucketSql(step)),
      query_params: {
        step, protocol: '', liveFrom: bucket, to: bucketEnd(step, bucket), definition: NETWORK_CELLS_DEFINITION,
        live: protocols.map((p) => new TupleParam([bucket, p])),
      },
      // The same alias rule as every read (query-rows.ts): `status` inside argMax is the column.
      clickhouse_settings: { prefer_column_name_to_alias: 1 },
    });
    written += protocols.length;
  }
  return { written, pending: todo.length - written };
}
