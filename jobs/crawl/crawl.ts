/**
 * One crawl pass: plan (frontier + schedule + shard), probe the due servers
 * under global concurrency and a global rate limit, store the results in
 * batches, feed discoveries back within bounds. One bad server never stops a
 * pass: a probe that throws is recorded as that server's error.
 *
 * Crash safety (kill -9 at any moment):
 * - the pass is recorded in `passes` (state `running`, shard, planned count)
 *   before the first probe; its plan is reproducible from its start time
 *   (jobs/crawl/plan-pass.ts plans "as of" it), so the plan itself is never lost;
 * - a server is done when its `pass_progress` row exists, which
 *   `insertProbeResults` writes after all the server's other rows;
 * - on restart the newest `running` pass of the same shard is resumed: servers
 *   in `pass_progress` are skipped, and servers whose snapshot is stored but
 *   whose progress row is not (a crash between those two inserts) are marked
 *   done without a second probe, so no (pass, server) ever has two snapshots
 *   to count in the rollups;
 * - batches carry content-derived dedup tokens and are retried with the same
 *   token, so a batch stored whose acknowledgement was lost is not stored twice.
 * Rows of a server whose batch died before its snapshot (observations, rooms,
 * discoveries) may be written again by the resumed probe; none of them feeds a
 * per-server count (rollups read `server_snapshots`), rooms and domains fold to
 * their latest state, and readers of a pass can restrict to `pass_progress`.
 */
import { randomUUID, createHash } from 'node:crypto';
import PQueue from 'p-queue';
import type { Db } from '../../db/client.ts';
import { insertProbeResults } from '../../db/queries/observations/insert-probe-results.ts';
import { findUnfinishedPass } from '../../db/queries/passes/find-unfinished-pass.ts';
import { insertPassState } from '../../db/queries/passes/insert-pass-state.ts';
import { PROTOCOLS, type ProbeResult, type Protocol } from '../../crawler/types.ts';
import type { CrawlObserver } from './crawl-observer.ts';
import type { HistoryCache } from './history-cache.ts';
import { normaliseDomain, type NormaliseOptions } from '../../crawler/discover/domain-name.ts';
import type { Seed } from './frontier/load-seeds.ts';
import { planPass, serverKey, type PassPlan } from './plan-pass.ts';
import { crawlDelayOf, retryAfterOf } from './probe-hints.ts';
import { ResultBatcher } from './result-batcher.ts';
import { withHistory } from './status-with-history.ts';
import { runProbe, type ProbeFn, type ProbePlan } from './run-probe.ts';
import { BatchJournal } from './batch-journal.ts';
import { recoverProgress, replayJournal } from './recover-pass.ts';
import type { ScheduleHints, ScheduleOptions } from './schedule.ts';
import { formatShard, inShard, WHOLE, type Shard } from './shard.ts';

export type { ProbeFn, ProbePlan } from './run-probe.ts';

/** Structured log sink (pino's shape). */
export interface CrawlLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a pass needs from outside. */
export interface CrawlDeps {
  db: Db;
  probe: ProbeFn;
  seeds: Seed[];
  /** @default () => new Date() */
  clock?: () => Date;
  observer?: CrawlObserver;
  logger?: CrawlLogger;
}

/** Options of one pass. Every field has a default. */
export interface CrawlOptions {
  /** @default the whole frontier */
  shard?: Shard;
  /** Domains probed at the same time. @default 64 */
  concurrency?: number;
  /** Global rate limit: probes started per second (0 = none). @default 0 */
  probesPerSecond?: number;
  /** Servers per stored batch. @default 200 */
  batchSize?: number;
  /** Longest time a result waits before being stored. @default 2000 */
  batchDelayMs?: number;
  /** New domains from discoveries probed in the same pass, at most. @default 1000 */
  maxDiscoveriesPerPass?: number;
  /** Probe at most this many servers (most overdue first). @default Infinity */
  limit?: number;
  /** Backstop deadline of one probe call in the loop (the probe has its own); on expiry the probe's signal aborts. @default 150000 */
  probeDeadlineMs?: number;
  /** Only these domains, due or not (`chatlas crawl d1 d2`). */
  only?: string[];
  schedule?: ScheduleOptions;
  /** Retry-After / crawl-delay hints by server key (`protocol:domain`). */
  hints?: Map<string, ScheduleHints>;
  normalise?: NormaliseOptions;
  /** How far back history is read. @default 30 days */
  lookbackMs?: number;
  /** History kept between the passes of a long-running process (jobs/crawl/history-cache.ts); without it the plan reads the whole window. */
  history?: HistoryCache;
  /** Stop gracefully: running probes finish and are stored, the pass stays resumable. */
  signal?: AbortSignal;
  /**
   * Folder of this worker's write-ahead batch journal (jobs/crawl/batch-journal.ts). With it, a batch cut
   * by a crash is replayed exactly on restart; without it, the resume falls back to marking stored
   * snapshots done, which cannot restore view rows the crash may have cut. One folder per worker.
   */
  journalDir?: string;
}

/** What a pass did. */
export interface PassSummary {
  passId: string;
  resumed: boolean;
  /** `done`: every planned server finished; `stopped`: aborted by the signal, resumable. */
  state: 'done' | 'stopped';
  planned: number;
  /** Servers skipped because a previous run of this pass finished them. */
  alreadyDone: number;
  /** Servers whose stored snapshot was marked done on resume without a new probe. */
  repaired: number;
  /** Servers of journaled batches replayed on start. */
  replayed: number;
  /** Time spent planning (frontier, history, schedule), ms. */
  planMs: number;
  probed: number;
  /** Probes by snapshot status. */
  byStatus: Record<string, number>;
  /** Probe calls that threw or overran (recorded as `error`). */
  probeFailures: number;
  discoveredAccepted: number;
  discoveredRefused: number;
  plan: Pick<PassPlan, 'lifecycles' | 'notDue' | 'nextDueAt'>;
  /** Servers that reported a Retry-After, for the next plan. */
  retryAfter: Map<string, Date>;
  /** Servers whose robots.txt set a crawl-delay (ms), for the next plan. */
  crawlDelay: Map<string, number>;
  durationMs: number;
}

const silent: CrawlLogger = { info() {}, warn() {}, error() {} };

/**
 * Run (or resume) one pass.
 * @throws when the store cannot take the results after retries; the pass stays
 *   `running` and the next run resumes it.
 */
export async function runCrawlPass(deps: CrawlDeps, options: CrawlOptions = {}): Promise<PassSummary> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger ?? silent;
  const observer = deps.observer ?? {};
  const started = Date.now();
  const shard = options.shard ?? WHOLE;
  const only = options.only?.map((d) => {
    const n = normaliseDomain(d, options.normalise);
    if (!n.ok) throw new TypeError(`${JSON.stringify(d)} is not a domain Chatlas can crawl (${n.reason})`);
    return n.domain;
  });
  // An explicit list is its own kind of pass, so it never resumes (or is resumed as) a scheduled one.
  const shardLabel = only ? `only:${createHash('sha1').update([...new Set(only)].sort().join(',')).digest('hex').slice(0, 12)}` : formatShard(shard);

  const unfinished = await findUnfinishedPass(deps.db, { shard: shardLabel });
  const passId = unfinished?.pass_id ?? randomUUID();
  const asOf = unfinished ? new Date(unfinished.started_at) : clock();
  const plan = await planPass(deps.db, {
    asOf, shard, seeds: deps.seeds,
    ...(options.schedule ? { schedule: options.schedule } : {}),
    ...(options.hints ? { hints: options.hints } : {}),
    ...(options.normalise ? { normalise: options.normalise } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.lookbackMs !== undefined ? { lookbackMs: options.lookbackMs } : {}),
    ...(only ? { only } : {}),
    ...(options.history ? { history: options.history } : {}),
  });
  const planMs = Date.now() - started;
  if (unfinished && unfinished.planned !== plan.items.length) {
    // Seeds file or limits changed between the runs; the re-plan is still as of the same time.
    log.warn({ passId, recorded: unfinished.planned, replanned: plan.items.length }, 'resumed pass re-planned a different number of servers');
  }
  // State rows must have strictly increasing updated_at (the newest wins), even with a frozen injected clock.
  let lastUpdate = 0;
  const updateTime = (): Date => new Date((lastUpdate = Math.max(clock().getTime(), lastUpdate + 1, asOf.getTime() + (unfinished ? 1 : 0))));
  if (!unfinished && plan.items.length === 0) {
    // Nothing due: no pass is recorded, the caller (jobs/crawl/scheduler.ts) waits for plan.nextDueAt.
    log.info({ shard: shardLabel, notDue: plan.notDue, nextDueAt: plan.nextDueAt }, 'nothing due');
    return {
      passId: '', resumed: false, state: 'done', planned: 0, alreadyDone: 0, repaired: 0, replayed: 0, planMs, probed: 0, byStatus: {},
      probeFailures: 0, discoveredAccepted: 0, discoveredRefused: 0,
      plan: { lifecycles: plan.lifecycles, notDue: plan.notDue, nextDueAt: plan.nextDueAt }, retryAfter: new Map(), crawlDelay: new Map(), durationMs: Date.now() - started,
    };
  }
  if (!unfinished) {
    await insertPassState(deps.db, { passId, startedAt: asOf, updatedAt: updateTime(), shard: shardLabel, state: 'running', planned: plan.items.length, done: 0 });
  }

  const journal = options.journalDir ? new BatchJournal(options.journalDir) : undefined;
  const replayed = journal ? await replayJournal(deps.db, journal) : 0;
  if (replayed > 0) log.info({ passId, servers: replayed }, 'replayed unacknowledged batches from the journal');
  const { done, repaired } = unfinished ? await recoverProgress(deps.db, passId, asOf) : { done: new Set<string>(), repaired: 0 };
  const alreadyDone = plan.items.filter((i) => done.has(serverKey(i.protocol, i.domain))).length;
  observer.passStarted?.({ passId, resumed: unfinished !== null, shard: shardLabel, planned: plan.items.length, alreadyDone });
  log.info({ passId, resumed: unfinished !== null, shard: shardLabel, planned: plan.items.length, alreadyDone, repaired, lifecycles: plan.lifecycles }, 'pass started');

  const summary: PassSummary = {
    passId, resumed: unfinished !== null, state: 'done', planned: plan.items.length, alreadyDone, repaired, replayed, planMs, probed: 0,
    byStatus: {}, probeFailures: 0, discoveredAccepted: 0, discoveredRefused: 0,
    plan: { lifecycles: plan.lifecycles, notDue: plan.notDue, nextDueAt: plan.nextDueAt }, retryAfter: new Map(), crawlDelay: new Map(), durationMs: 0,
  };

  const batcher = new ResultBatcher((results, token) => insertProbeResults(deps.db, results, { dedupToken: token }), {
    ...(options.batchSize !== undefined ? { maxBatch: options.batchSize } : {}),
    ...(options.batchDelayMs !== undefined ? { maxDelayMs: options.batchDelayMs } : {}),
    ...(journal ? { journal } : {}),
    onStored: (results, durationMs) => observer.batchStored?.({
      servers: results.length, durationMs, keys: results.map((r) => serverKey(r.snapshot.protocol, r.snapshot.domain)),
    }),
  });
  const rate = options.probesPerSecond ?? 0;
  const queue = new PQueue({ concurrency: options.concurrency ?? 64, ...(rate > 0 ? { intervalCap: rate, interval: 1000 } : {}) });
  const deadlineMs = options.probeDeadlineMs ?? 150_000;
  let storeError: unknown;

  /** All protocols of one domain run in one task, one after the other: per-host politeness at the loop level. */
  const byDomain = new Map<string, Protocol[]>();
  for (const item of plan.items) {
    if (done.has(serverKey(item.protocol, item.domain))) continue;
    const list = byDomain.get(item.domain);
    if (list) list.push(item.protocol);
    else byDomain.set(item.domain, [item.protocol]);
  }
  const scheduled = new Set(byDomain.keys());
  const maxDiscoveries = options.maxDiscoveriesPerPass ?? 1000;

  // What the plan decided per server: the kinds of fact due and the history the probe needs.
  const plans = new Map<string, ProbePlan>(plan.items.map((i) => [serverKey(i.protocol, i.domain), { due: i.due, requestLog: i.requestLog, pace: i.pace, lastRegistration: i.lastRegistration }]));
  const probeOne = async (domain: string, protocol: Protocol): Promise<void> => {
    const t0 = Date.now();
    const planned = plans.get(serverKey(protocol, domain));
    const { result, failure } = await runProbe(deps.probe, domain, protocol, { passId, now: clock(), deadlineMs, ...(planned ? { plan: planned } : {}) });
    if (failure) {
      summary.probeFailures++;
      log.warn({ passId, domain, protocol, error: failure.code, message: failure.message }, 'probe failed; recorded as error');
    }
    // No sign of the protocol is "not a server" only for a server that never answered (jobs/crawl/status-with-history.ts).
    const stored = withHistory(result, plan.answeredAt.get(serverKey(protocol, domain)) ?? null);
    const status = stored.snapshot.status;
    summary.probed++;
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
    const retryAfter = retryAfterOf(stored);
    if (retryAfter) summary.retryAfter.set(serverKey(protocol, domain), retryAfter);
    const crawlDelay = crawlDelayOf(stored);
    if (crawlDelay) summary.crawlDelay.set(serverKey(protocol, domain), crawlDelay);
    observer.probeFinished?.({ protocol, domain, status, durationMs: Date.now() - t0 });
    await batcher.add(stored);
    feedDiscoveries(stored);
  };

  const feedDiscoveries = (result: ProbeResult): void => {
    if (only) return;
    for (const d of result.discoveries) {
      const n = normaliseDomain(d.domain, { ...options.normalise, ...(d.protocol ? { protocol: d.protocol } : {}) });
      if (!n.ok) {
        summary.discoveredRefused++;
        observer.discovered?.({ domain: d.domain.slice(0, 200), accepted: false });
        continue;
      }
      // Known domains wait for their own schedule; other shards' domains are theirs to probe.
      if (plan.known.has(n.domain) || scheduled.has(n.domain) || plan.optedOut.has(n.domain) || !inShard(n.domain, shard)) continue;
      if (summary.discoveredAccepted >= maxDiscoveries) continue;
      scheduled.add(n.domain);
      summary.discoveredAccepted++;
      observer.discovered?.({ domain: n.domain, accepted: true });
      // Not in the recorded plan: a resume re-plans as of the pass start and finds them in `domains` next pass.
      enqueue(n.domain, d.protocol ? [d.protocol] : [...PROTOCOLS]);
    }
  };

  const enqueue = (domain: string, protocols: Protocol[]): void => {
    queue.add(async () => {
      if (options.signal?.aborted || storeError !== undefined) return;
      for (const protocol of protocols) {
        if (options.signal?.aborted) return;
        await probeOne(domain, protocol);
      }
    }).catch((error: unknown) => {
      // Only the store can fail here (probe errors are results): stop taking work, keep the pass resumable.
      if (storeError === undefined) {
        storeError = error;
        queue.clear();
      }
    }).finally(() => observer.queueDepth?.(queue.size));
  };

  const onAbort = () => queue.clear();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const [domain, protocols] of byDomain) enqueue(domain, protocols);
    observer.queueDepth?.(queue.size);
    await queue.onIdle();
    if (storeError === undefined) await batcher.flush().catch((error: unknown) => { storeError = error; });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  summary.durationMs = Date.now() - started;
  if (storeError !== undefined) {
    log.error({ passId, error: (storeError as Error).message?.split('\n')[0] }, 'the store refused results; the pass stays resumable');
    throw storeError;
  }
  summary.state = options.signal?.aborted ? 'stopped' : 'done';
  const finishedAt = updateTime();
  if (summary.state === 'done') {
    await insertPassState(deps.db, {
      passId, startedAt: asOf, updatedAt: finishedAt, shard: shardLabel, state: 'done', planned: plan.items.length,
      done: alreadyDone + summary.probed,
    });
  }
  observer.passFinished?.({ passId, state: summary.state, probed: summary.probed, durationMs: summary.durationMs, finishedAt });
  log.info({ passId, state: summary.state, probed: summary.probed, byStatus: summary.byStatus, probeFailures: summary.probeFailures, discovered: summary.discoveredAccepted, durationMs: summary.durationMs }, 'pass finished');
  return summary;
}
