/**
 * Every server's history, kept in memory between the passes of one process
 * (`chatlas serve`'s scheduler), so a pass plan does not rescan the whole
 * lookback window of raw snapshots each hour.
 *
 * The first read is the windowed query (db/queries/frontier/list-server-history.ts).
 * A later read, with `asOf` moved forward by at most the lookback, reads only the
 * snapshots observed in `[previousAsOf - overlap, asOf)` and folds them, oldest
 * first, into each server's summary. A snapshot no newer than its server's last
 * folded one is skipped: that is what makes the overlap safe to re-read, and the
 * overlap is what picks up snapshots stored late (another shard's worker, a
 * registration's immediate probe) with a time before the previous read.
 * `asOf` going back (a resumed pass re-plans as of its start) or jumping
 * further than the lookback, or another lookback, means a full read again.
 *
 * The window is applied when reading, so the result matches the windowed query:
 * servers last probed before the window are dropped (and forgotten), and an ok
 * probe before the window is no ok at all (`lastOkAt` null). One difference is
 * kept on purpose: for a server failing since before the window, the fold goes
 * on counting its failure streak from where it knew it (`failuresSinceOk`,
 * `failingSince`), where the windowed query counts only the failures inside the
 * window. jobs/crawl/schedule.ts saturates there (dead, ceiling interval) on both, as
 * long as the crawl probed the server at least once per ceiling and the window is
 * at least twice the ceiling plus `deadAfterMs` (the failures inside the window
 * then span `deadAfterMs` and more): 30 days against 7 + 7 + 7 by default. With a
 * shorter window (planPass only requires more than twice the ceiling) the windowed
 * query may call such a server failing again where the cache keeps it dead.
 * tests/integration/jobs/history-cache.test.ts checks the decisions agree.
 *
 * Memory: one small object per server of the window. Not safe for two reads at
 * once; the scheduler never overlaps passes.
 */
import type { Db } from '../../db/client.ts';
import { listServerHistory, type ServerHistoryRow } from '../../db/queries/frontier/list-server-history.ts';
import { listSnapshotsBetween, type SnapshotStatusRow } from '../../db/queries/frontier/list-snapshots-between.ts';
import type { ServerStatus } from '../../crawler/types.ts';
import { parseSnapshotFailure } from '../../db/rows.ts';
import { registerMemo, serverKey, storedPace } from './plan-pass.ts';
import { isFactKind, parseMeasured, type FactKind } from '../../crawler/types.ts';
import { REQUEST_LOG_HOURS } from '../../db/queries/frontier/list-server-history.ts';
import type { ServerHistory } from './schedule.ts';

/** One server's folded history. Times are epoch ms, 0 = none. */
interface Folded {
  lastAt: number;
  lastStatus: string;
  endpoint: string;
  /** The last snapshot's failure code as stored ('' when none). */
  lastFailure: string;
  lastOkAt: number;
  lastOkEndpoint: string;
  previousOkAt: number;
  previousOkEndpoint: string;
  failuresSinceOk: number;
  failingSince: number;
  /** Last measurement time per kind of fact (0 = none). */
  measuredAt: Partial<Record<FactKind, number>>;
  /** The registration mode of the last `register` measurement ('' = none), the hash of version and features then, and at the last ok snapshot ('0' = none). */
  registerMode: string;
  registerHash: string;
  okHash: string;
  /** [epoch ms, requests] of recent snapshots that sent any, oldest first; pruned to the request log's hours. */
  requests: [number, number][];
  /** The last snapshot answered 429/503 with Retry-After, the last Crawl-delay read and its time (0 = none). */
  rateLimitedAt: number;
  crawlDelay: number;
  crawlDelayAt: number;
}

/** Options of {@link HistoryCache}. */
export interface HistoryCacheOptions {
  /** How far before the previous read's `asOf` an incremental read starts. @default 900_000 (15 min) */
  overlapMs?: number;
}

/** How the last read went, for logs and tests. */
export interface HistoryReadStats {
  mode: 'full' | 'incremental';
  /** Rows the store returned: servers (full) or snapshots (incremental). */
  rows: number;
  /** Snapshots folded (incremental; the rest were already folded). */
  folded: number;
}

export class HistoryCache {
  #overlapMs: number;
  #servers = new Map<string, Folded>();
  #asOf: number | undefined;
  #lookbackMs: number | undefined;
  /** What the last {@link read} did. */
  lastRead: HistoryReadStats | undefined;

  constructor(options: HistoryCacheOptions = {}) {
    this.#overlapMs = options.overlapMs ?? 15 * 60_000;
    if (!Number.isFinite(this.#overlapMs) || this.#overlapMs < 0) throw new TypeError(`overlapMs must be a finite number >= 0, got ${JSON.stringify(options.overlapMs)}`);
  }

  /** Servers held (after the last read's pruning). */
  get size(): number {
    return this.#servers.size;
  }

  /**
   * Every server's history from the snapshots in `[asOf - lookbackMs, asOf)`, keyed by
   * `protocol:domain`, as `planPass` would build it from the windowed query.
   */
  async read(db: Db, params: { asOf: Date; lookbackMs: number }): Promise<Map<string, ServerHistory>> {
    const asOf = params.asOf.getTime();
    const previous = this.#asOf;
    const incremental = previous !== undefined && this.#lookbackMs === params.lookbackMs && asOf >= previous && asOf - previous <= params.lookbackMs;
    if (incremental) {
      const rows = await listSnapshotsBetween(db, { from: new Date(previous - this.#overlapMs), to: params.asOf });
      let folded = 0;
      for (const row of rows) if (this.#fold(row)) folded++;
      this.lastRead = { mode: 'incremental', rows: rows.length, folded };
    } else {
      const rows = await listServerHistory(db, params);
      this.#servers = new Map(rows.map((r) => [serverKey(r.protocol, r.domain), fromRow(r)]));
      this.lastRead = { mode: 'full', rows: rows.length, folded: 0 };
    }
    this.#asOf = asOf;
    this.#lookbackMs = params.lookbackMs;
    return this.#window(asOf - params.lookbackMs, asOf);
  }

  /** Fold one snapshot into its server; false when it was folded already. */
  #fold(row: SnapshotStatusRow): boolean {
    const key = serverKey(row.protocol, row.domain);
    let f = this.#servers.get(key);
    if (f && row.observed_at <= f.lastAt) return false;
    if (!f) {
      f = {
        lastAt: 0, lastStatus: '', endpoint: '', lastFailure: '', lastOkAt: 0, lastOkEndpoint: '', previousOkAt: 0, previousOkEndpoint: '', failuresSinceOk: 0, failingSince: 0,
        measuredAt: {}, registerMode: '', registerHash: '0', okHash: '0', requests: [], rateLimitedAt: 0, crawlDelay: 0, crawlDelayAt: 0,
      };
      this.#servers.set(key, f);
    }
    const kinds = parseMeasured(row.measured);
    for (const k of kinds) f.measuredAt[k] = row.observed_at;
    if (kinds.includes('register')) {
      f.registerMode = row.registration;
      if (row.status === 'ok') f.registerHash = row.hash;
    }
    if (row.status === 'ok') f.okHash = row.hash;
    if (row.requests > 0) f.requests.push([row.observed_at, row.requests]);
    if (row.rate_limited) f.rateLimitedAt = row.observed_at;
    if (row.crawl_delay > 0) {
      f.crawlDelay = row.crawl_delay;
      f.crawlDelayAt = row.observed_at;
    }
    f.lastAt = row.observed_at;
    f.lastStatus = row.status;
    f.endpoint = row.endpoint;
    f.lastFailure = row.failure;
    if (row.status === 'ok') {
      f.previousOkAt = f.lastOkAt;
      f.previousOkEndpoint = f.lastOkEndpoint;
      f.lastOkAt = row.observed_at;
      f.lastOkEndpoint = row.endpoint;
      f.failuresSinceOk = 0;
      f.failingSince = 0;
    } else {
      f.failuresSinceOk++;
      if (f.failingSince === 0) f.failingSince = row.observed_at;
    }
    return true;
  }

  /** The histories as the window starting at `since` shows them; servers before it are forgotten. */
  #window(since: number, asOf: number): Map<string, ServerHistory> {
    const out = new Map<string, ServerHistory>();
    const recent = asOf - REQUEST_LOG_HOURS * 3_600_000;
    for (const [key, f] of this.#servers) {
      if (f.lastAt < since) {
        this.#servers.delete(key);
        continue;
      }
      const okInWindow = f.lastOkAt > 0 && f.lastOkAt >= since;
      f.requests = f.requests.filter(([at]) => at >= recent);
      const measuredAt: Partial<Record<FactKind, Date>> = {};
      for (const [k, at] of Object.entries(f.measuredAt)) if (isFactKind(k) && at !== undefined && at >= since) measuredAt[k] = new Date(at);
      out.set(key, {
        measuredAt,
        register: registerMemo(measuredAt.register ? f.registerMode : '', f.registerHash, f.okHash),
        requestLog: f.requests.map(([at, n]) => ({ at, n })),
        // As the windowed query: only what the window holds.
        pace: storedPace(f.rateLimitedAt >= since ? f.rateLimitedAt : 0, f.crawlDelay, f.crawlDelayAt >= since ? f.crawlDelayAt : 0),
        lastAt: new Date(f.lastAt),
        lastStatus: f.lastStatus as ServerStatus,
        lastOkAt: okInWindow ? new Date(f.lastOkAt) : null,
        failuresSinceOk: f.failuresSinceOk,
        failingSince: f.lastStatus !== 'ok' && f.failingSince > 0 ? new Date(f.failingSince) : null,
        endpoint: f.endpoint,
        previousOkEndpoint: okInWindow && f.previousOkAt > 0 && f.previousOkAt >= since ? f.previousOkEndpoint : '',
        lastFailure: f.lastStatus === 'ok' ? null : parseSnapshotFailure(f.lastFailure),
      });
    }
    return out;
  }
}

/** A server's folded state from the windowed query's row. */
function fromRow(r: ServerHistoryRow): Folded {
  return {
    lastAt: r.last_at,
    lastStatus: r.last_status,
    endpoint: r.endpoint,
    lastFailure: r.last_failure,
    lastOkAt: r.last_ok_at,
    lastOkEndpoint: r.last_ok_endpoint,
    previousOkAt: r.previous_ok_at,
    previousOkEndpoint: r.previous_ok_endpoint,
    failuresSinceOk: r.failures_since_ok,
    failingSince: r.failing_since,
    measuredAt: Object.fromEntries(r.measured_at[0].map((k, i) => [k, r.measured_at[1][i] ?? 0]).filter(([k, at]) => isFactKind(String(k)) && Number(at) > 0)),
    registerMode: r.register_mode,
    registerHash: r.register_hash,
    okHash: r.ok_hash,
    requests: [...r.recent_requests].sort((a, b) => a[0] - b[0]),
    rateLimitedAt: r.rate_limited_at,
    crawlDelay: r.crawl_delay,
    crawlDelayAt: r.crawl_delay_at,
  };
}
