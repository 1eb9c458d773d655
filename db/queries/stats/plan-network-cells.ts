import { TupleParam } from '@clickhouse/client';
import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketEnd } from './bucket-end.ts';
import { bucketSql, type Step } from './bucket-sql.ts';
import { queryRows } from '../../query-rows.ts';
import { NETWORK_CELLS_DEFINITION } from './live-cells-sql.ts';

/** Parameters of {@link planNetworkCells}. */
export interface NetworkCellsWindow {
  /** First day, inclusive, `YYYY-MM-DD` (UTC). */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD` (UTC). */
  to: string;
  /** @default 'day' */
  step?: Step;
  /** @default both */
  protocol?: Protocol | '';
}

/** One (bucket, protocol) of the window with data, and where its cells come from. */
export interface PlannedBucket {
  bucket: string;
  protocol: Protocol;
  /** sum(server_daily_v1.probes) over the bucket's days inside the window. */
  probes: number;
  /** The latest stored computation (ms since the epoch), 0 when none. */
  storedAt: number;
  /** Its source_probes. */
  storedProbes: number;
  /** The bucket lies wholly inside the window. */
  complete: boolean;
  /** Read from network_buckets_v1: complete and stored with the live source_probes. */
  useStored: boolean;
}

/** The bound parameters of `networkCellsSql` for a window (a type, so it passes as a parameter record). */
export type NetworkCellsParams = {
  step: Step;
  from: string;
  to: string;
  protocol: string;
  /** (bucket, protocol, computed_at ms) of the stored computations to read. */
  stored: TupleParam[];
  /** (bucket, protocol) pairs to compute from server_daily_v1. */
  live: TupleParam[];
  liveFrom: string;
  /** The cell definition of the stored computations read (`NETWORK_CELLS_DEFINITION`). */
  definition: number;
};

// Live fingerprints read one UInt64 column of server_daily_v1 (no state is merged); the stored side
// is a few rows per bucket.
const sql = (bucket: string) => `
SELECT toString(f.bucket) AS bucket, f.protocol AS protocol, f.probes AS probes,
       s.at AS storedAt, s.source_probes AS storedProbes
FROM (
  SELECT ${bucket} AS bucket, protocol, sum(probes) AS probes
  FROM server_daily_v1
  WHERE day >= {from:Date} AND day <= {to:Date} AND ({protocol:String} = '' OR protocol = {protocol:String})
  GROUP BY bucket, protocol
) AS f
LEFT JOIN (
  SELECT bucket, protocol, max(toUnixTimestamp64Milli(computed_at)) AS at, argMax(source_probes, computed_at) AS source_probes
  FROM network_buckets_v1
  WHERE step = {step:String} AND bucket >= {from:Date} AND bucket <= {to:Date} AND definition = {definition:UInt8}
  GROUP BY bucket, protocol
) AS s ON s.bucket = f.bucket AND s.protocol = f.protocol
ORDER BY bucket, protocol
SETTINGS join_use_nulls = 0`;

/**
 * Decide, per (bucket, protocol) of the window, whether its cells can be read
 * from `network_buckets_v1` (the bucket lies wholly inside the window and its
 * latest computation saw exactly the server-days there are now) or must be
 * computed from `server_daily_v1` (today, the current week or month, a bucket
 * cut by the window, a bucket that got late observations, a store the job has
 * not filled yet, a bucket stored under an older cell definition). Returns the buckets and the parameters of `networkCellsSql`.
 */
export async function planNetworkCells(db: Db, w: NetworkCellsWindow): Promise<{ buckets: PlannedBucket[]; params: NetworkCellsParams }> {
  const step = w.step ?? 'day';
  const protocol = w.protocol ?? '';
  const rows = await queryRows<Omit<PlannedBucket, 'complete' | 'useStored'>>(db, sql(bucketSql(step)), { from: w.from, to: w.to, step, protocol, definition: NETWORK_CELLS_DEFINITION });
  const buckets = rows.map((r) => {
    const complete = r.bucket >= w.from && bucketEnd(step, r.bucket) <= w.to;
    return { ...r, storedAt: Number(r.storedAt), complete, useStored: complete && Number(r.storedAt) > 0 && Number(r.storedProbes) === Number(r.probes) };
  });
  const live = buckets.filter((b) => !b.useStored);
  // Days before the first live bucket are never read live (the day filter prunes them by the primary key).
  const first = live.reduce<string | null>((m, b) => (m === null || b.bucket < m ? b.bucket : m), null);
  return {
    buckets,
    params: {
      step, from: w.from, to: w.to, protocol,
      // Tuples go as TupleParam: a plain nested array is sent as an Array, not a Tuple.
      stored: buckets.filter((b) => b.useStored).map((b) => new TupleParam([b.bucket, b.protocol, b.storedAt])),
      live: live.map((b) => new TupleParam([b.bucket, b.protocol])),
      liveFrom: first === null ? nextDay(w.to) : first < w.from ? w.from : first,
      definition: NETWORK_CELLS_DEFINITION,
    },
  };
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
