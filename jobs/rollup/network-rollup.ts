/**
 * The network rollup job: keeps `network_buckets_v1` (0009_network_buckets.sql)
 * filled for every closed day, week and month, so the overview, the software
 * pages and /api/v1/stats add up a few rows per bucket instead of merging every
 * server-day. Readers check each stored bucket against `server_daily_v1` and
 * compute stale or missing ones themselves, so a late or skipped round only
 * costs speed, never exactness.
 */
import type { Db } from '../../db/client.ts';
import { refreshNetworkBuckets } from '../../db/queries/stats/refresh-network-buckets.ts';
import type { Step } from '../../db/queries/stats/bucket-sql.ts';

/** What one round wrote, per step: (bucket, protocol) pairs written and still pending. */
export type NetworkRollupRound = Record<Step, { written: number; pending: number }>;

/** One round: every step, oldest missing buckets first. */
export async function runNetworkRollup(db: Db, now: Date = new Date()): Promise<NetworkRollupRound> {
  const out = {} as NetworkRollupRound;
  for (const step of ['day', 'week', 'month'] as const) out[step] = await refreshNetworkBuckets(db, { step, now });
  return out;
}

/** Options of {@link startNetworkRollup}. */
export interface NetworkRollupOptions {
  db: Db;
  /** Time between rounds; a day closes at 00:00 UTC, so an hour keeps yesterday at most an hour live. @default 3_600_000 */
  intervalMs?: number;
  onRound?: (round: NetworkRollupRound) => void;
  onError?: (error: unknown) => void;
}

/**
 * Run a round now and then every `intervalMs` (never two at once) until
 * stopped. `first` settles when the first round has (never rejects), so a
 * caller can warm the pages on a filled rollup.
 */
export function startNetworkRollup(options: NetworkRollupOptions): { first: Promise<void>; stop(): void } {
  let running = false;
  let stopped = false;
  const round = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    try {
      let r = await runNetworkRollup(options.db);
      options.onRound?.(r);
      // A first run over long history is spread over rounds of bounded size; finish it now.
      while (!stopped && r.day.pending + r.week.pending + r.month.pending > 0 && (r.day.written + r.week.written + r.month.written) > 0) {
        r = await runNetworkRollup(options.db);
        options.onRound?.(r);
      }
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
    }
  };
  const first = round();
  const timer = setInterval(() => void round(), options.intervalMs ?? 3_600_000);
  timer.unref();
  return { first, stop: () => { stopped = true; clearInterval(timer); } };
}
