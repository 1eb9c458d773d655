/**
 * A pass's plan: which servers are due, in which order. The pure core
 * ({@link planServers}) takes the frontier and each server's history; the
 * store-facing {@link planPass} reads both as of a time, so a resumed pass
 * re-plans exactly the servers it planned when it started (its `asOf` is its
 * start time, and snapshots written by the pass itself are newer than that).
 */
import type { Db } from '../../db/client.ts';
import type { HistoryCache } from './history-cache.ts';
import { listServerHistory, type ServerHistoryRow } from '../../db/queries/frontier/list-server-history.ts';
import { parseSnapshotFailure } from '../../db/rows.ts';
import { FACT_KINDS, isFactKind, REGISTRATION_MODES, type FactKind, type Protocol, type RegistrationMode, type ServerStatus } from '../../crawler/types.ts';
import type { RequestLogEntry } from '../../crawler/net/request-budget.ts';
import type { PaceSignals } from '../../crawler/policy/cadence.ts';
import { readFrontier } from './frontier/read-frontier.ts';
import type { FrontierEntry } from './frontier/build-frontier.ts';
import type { Seed } from './frontier/load-seeds.ts';
import type { NormaliseOptions } from '../../crawler/discover/domain-name.ts';
import { LIFECYCLES, scheduleServer, scheduleOptions, unitHash, type Lifecycle, type ScheduleHints, type ScheduleOptions, type ServerHistory } from './schedule.ts';
import { inShard, type Shard } from './shard.ts';

/** One server to probe in a pass. */
export interface PlannedProbe {
  domain: string;
  protocol: Protocol;
  lifecycle: Lifecycle;
  dueAt: Date;
  /** Kinds of fact to measure (jobs/crawl/schedule.ts `dueKinds`). */
  due: FactKind[];
  /** What the probe needs from the server's history: its last day's requests, what it last said about our pace, and last registration answer. */
  requestLog: RequestLogEntry[];
  pace: PaceSignals;
  lastRegistration: RegistrationMode | null;
}

/** A pass's plan and what the schedule said about the rest. */
export interface PassPlan {
  asOf: Date;
  items: PlannedProbe[];
  /** Servers of this shard by lifecycle (due or not): the visible lifecycle of the whole frontier. */
  lifecycles: Record<Lifecycle, number>;
  /** Servers of this shard not due yet, and the earliest time one becomes due (null: none). */
  notDue: number;
  nextDueAt: Date | null;
  /** Domains of the frontier that are opted out (never probed). */
  optedOut: Set<string>;
  /** Every domain of the frontier (all shards), so discoveries can tell new from known. */
  known: Set<string>;
  /**
   * The last ok probe of each server (`protocol:domain`) of this shard that has one in the history
   * window: a server that answered before is unreachable, not "not a server", when it shows no sign
   * of its protocol now (jobs/crawl/status-with-history.ts).
   */
  answeredAt: Map<string, Date>;
}

/** `protocol:domain`, the key of a server. */
export function serverKey(protocol: string, domain: string): string {
  return `${protocol}:${domain}`;
}

/**
 * Turn a history row into the schedule's input. `last_failure` may be left out (a row of a test,
 * or of a query that does not read it): no stored code, the backoff every failure had before codes.
 */
export function toHistory(row: Pick<ServerHistoryRow, 'last_at' | 'last_status' | 'last_ok_at' | 'failures_since_ok' | 'failing_since' | 'endpoint' | 'previous_ok_endpoint'> & Partial<Pick<ServerHistoryRow, 'last_failure' | 'measured_at' | 'register_mode' | 'register_hash' | 'ok_hash' | 'recent_requests' | 'rate_limited_at' | 'crawl_delay' | 'crawl_delay_at'>>): ServerHistory {
  const measuredAt: Partial<Record<FactKind, Date>> = {};
  const [kinds, times] = row.measured_at ?? [[], []];
  kinds.forEach((k, i) => { if (isFactKind(k) && (times[i] ?? 0) > 0) measuredAt[k] = new Date(times[i]!); });
  return {
    measuredAt,
    register: registerMemo(row.register_mode ?? '', row.register_hash ?? '0', row.ok_hash ?? '0'),
    requestLog: (row.recent_requests ?? []).map(([at, n]) => ({ at, n })),
    pace: storedPace(row.rate_limited_at ?? 0, row.crawl_delay ?? 0, row.crawl_delay_at ?? 0),
    lastAt: row.last_at > 0 ? new Date(row.last_at) : null,
    lastStatus: row.last_at > 0 ? (row.last_status as ServerStatus) : null,
    lastOkAt: row.last_ok_at > 0 ? new Date(row.last_ok_at) : null,
    failuresSinceOk: row.failures_since_ok,
    failingSince: row.last_status !== 'ok' && row.failing_since > 0 ? new Date(row.failing_since) : null,
    endpoint: row.endpoint,
    previousOkEndpoint: row.previous_ok_endpoint,
    lastFailure: row.last_at > 0 && row.last_status !== 'ok' ? parseSnapshotFailure(row.last_failure ?? '') : null,
  };
}

/**
 * A server's pace as the store recorded it (list-server-history.ts, or the history cache's fold; 0 =
 * none): the time of the last 429/503 with Retry-After, the last Crawl-delay read and its time. The
 * network layer and the schedule read it with crawler/policy/cadence.ts `effectiveBudget`, the rule they
 * apply to what they saw themselves.
 */
export function storedPace(rateLimitedAt: number, crawlDelay: number, crawlDelayAt: number): PaceSignals {
  return {
    ...(rateLimitedAt > 0 ? { rateLimitedAt } : {}),
    ...(crawlDelay > 0 && crawlDelayAt > 0 ? { crawlDelaySeconds: crawlDelay, crawlDelayAt } : {}),
  };
}

/** The last registration answer and whether version or features moved since (a hash of both, compared). */
export function registerMemo(mode: string, registerHash: string, okHash: string): { mode: RegistrationMode | null; changed: boolean } {
  const known = (REGISTRATION_MODES as readonly string[]).includes(mode) ? (mode as RegistrationMode) : null;
  return { mode: known, changed: known !== null && registerHash !== '0' && okHash !== '0' && registerHash !== okHash };
}

const NEVER: ServerHistory = { lastAt: null, lastStatus: null, lastOkAt: null, failuresSinceOk: 0, failingSince: null, endpoint: '', previousOkEndpoint: '', lastFailure: null };

/** Inputs of {@link planServers}. */
export interface PlanInputs {
  entries: FrontierEntry[];
  histories: Map<string, ServerHistory>;
  hints?: Map<string, ScheduleHints>;
  now: Date;
  shard: Shard;
  schedule?: ScheduleOptions;
  /** Probe at most this many servers (the most overdue first). @default Infinity */
  limit?: number;
  /** Probe these servers whatever the schedule says (opt-outs still win). */
  force?: boolean;
}

/** Pure: the due servers of a shard, most overdue first (ties spread by a hash so hosts interleave). */
export function planServers(inputs: PlanInputs): Omit<PassPlan, 'asOf'> {
  const options = scheduleOptions(inputs.schedule);
  const lifecycles = Object.fromEntries(LIFECYCLES.map((l) => [l, 0])) as Record<Lifecycle, number>;
  const items: PlannedProbe[] = [];
  const optedOut = new Set<string>();
  const known = new Set<string>();
  const answeredAt = new Map<string, Date>();
  let notDue = 0;
  let nextDue = Infinity;
  for (const entry of inputs.entries) {
    known.add(entry.domain);
    if (entry.optedOut) optedOut.add(entry.domain);
    if (!inShard(entry.domain, inputs.shard)) continue;
    for (const protocol of entry.protocols) {
      const key = serverKey(protocol, entry.domain);
      const history = inputs.histories.get(key) ?? NEVER;
      if (history.lastOkAt) answeredAt.set(key, history.lastOkAt);
      const hints = { ...inputs.hints?.get(key), optedOut: entry.optedOut };
      const d = scheduleServer({ domain: entry.domain, protocol }, history, hints, options, inputs.now);
      lifecycles[d.lifecycle]++;
      if (d.dueAt === null) continue;
      if (inputs.force || d.dueAt.getTime() <= inputs.now.getTime()) {
        items.push({
          domain: entry.domain, protocol, lifecycle: d.lifecycle, dueAt: inputs.force ? inputs.now : d.dueAt,
          // `chatlas crawl d1 d2` probes everything, as a newcomer's first look would.
          due: inputs.force ? [...FACT_KINDS] : d.due,
          requestLog: [...(history.requestLog ?? [])],
          pace: { ...history.pace },
          lastRegistration: history.register?.mode ?? null,
        });
      } else {
        notDue++;
        nextDue = Math.min(nextDue, d.dueAt.getTime());
      }
    }
  }
  // Hash each key once (not per comparison): 1e5 servers sort in milliseconds.
  const tie = new Map(items.map((i) => [i, unitHash(serverKey(i.protocol, i.domain))]));
  items.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || tie.get(a)! - tie.get(b)!);
  const limit = inputs.limit ?? Infinity;
  if (items.length > limit) {
    for (const dropped of items.slice(limit)) nextDue = Math.min(nextDue, dropped.dueAt.getTime());
    notDue += items.length - limit;
    items.length = limit;
  }
  return { items, lifecycles, notDue, nextDueAt: Number.isFinite(nextDue) ? new Date(nextDue) : null, optedOut, known, answeredAt };
}

/** Options of {@link planPass}. */
export interface PlanPassOptions {
  asOf: Date;
  shard: Shard;
  seeds: Seed[];
  schedule?: ScheduleOptions;
  hints?: Map<string, ScheduleHints>;
  normalise?: NormaliseOptions;
  limit?: number;
  /** How far back history is read. Must exceed twice the schedule ceiling. @default 30 days */
  lookbackMs?: number;
  /** Plan only these domains (normalised), due or not: `chatlas crawl d1 d2`. */
  only?: string[];
  /**
   * A long-running process's history kept between passes (jobs/crawl/history-cache.ts): read
   * incrementally instead of the windowed query. Without it, the windowed query every time.
   */
  history?: HistoryCache;
}

/** Read the frontier and histories as of `asOf` and plan the due servers. */
export async function planPass(db: Db, options: PlanPassOptions): Promise<PassPlan> {
  const { ceilingMs: ceiling, deadAfterMs: deadAfter } = scheduleOptions(options.schedule);
  const lookbackMs = options.lookbackMs ?? 30 * 86_400_000;
  if (lookbackMs <= 2 * ceiling) throw new TypeError(`lookbackMs (${lookbackMs}) must exceed twice the schedule ceiling (${ceiling})`);
  // Kept between passes, a long failure streak is counted past the window; the decisions equal the
  // windowed query's only when the window also spans deadAfterMs beyond that (jobs/crawl/history-cache.ts).
  if (options.history && lookbackMs < 2 * ceiling + deadAfter) {
    throw new TypeError(`lookbackMs (${lookbackMs}) must be at least twice the schedule ceiling plus deadAfterMs (${2 * ceiling + deadAfter}) when the history is kept between passes`);
  }
  const frontier = await readFrontier(db, { asOf: options.asOf, seeds: options.seeds, ...(options.normalise ? { normalise: options.normalise } : {}) });
  let entries = frontier.entries;
  if (options.only) {
    const only = new Set(options.only);
    const have = new Set(entries.map((e) => e.domain));
    entries = [
      ...entries.filter((e) => only.has(e.domain)),
      ...[...only].filter((d) => !have.has(d)).map((d): FrontierEntry => ({ domain: d, protocols: ['xmpp', 'matrix'], vias: ['cli'], optedOut: false })),
    ];
  }
  const histories = options.history
    ? await options.history.read(db, { asOf: options.asOf, lookbackMs })
    : new Map((await listServerHistory(db, { asOf: options.asOf, lookbackMs })).map((r) => [serverKey(r.protocol, r.domain), toHistory(r)]));
  const plan = planServers({
    entries, histories, now: options.asOf, shard: options.shard,
    ...(options.hints ? { hints: options.hints } : {}),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    force: options.only !== undefined,
  });
  if (options.only) for (const e of frontier.entries) plan.known.add(e.domain);
  return { asOf: options.asOf, ...plan };
}
