/**
 * When to probe each server next, and what state it is in, computed from its
 * history alone (pure: no clock, no I/O, no randomness; the jitter is a hash).
 *
 * Lifecycle (derived, never stored by hand):
 * - `new`        never probed;
 * - `alive`      last probe ok;
 * - `moved`      last probe ok, but it answers on another endpoint (delegation or SRV target)
 *                than at the ok sighting before: shown, then treated as alive;
 * - `failing`    last probe not ok, not for long;
 * - `dead`       failing for `deadAfterMs` (or `deadAfterFailures` failures in a row);
 *                still probed at the ceiling: never given up;
 * - `disallowed` robots.txt refuses us: the policy is re-read daily, nothing else is fetched;
 * - `opted-out`  its owner asked us to stop: never probed until the opt-out is lifted.
 *
 * Intervals: hourly with ±jitter while alive; exponential backoff from the base for each
 * consecutive failure, capped at the ceiling (7 days). The backoff is also at least the time
 * the server has been failing (capped likewise), which doubles the same way and stays right
 * when the failure count is truncated by the history window. `Retry-After` and robots.txt
 * crawl-delay push the due time later, themselves capped at the ceiling so a hostile
 * `Retry-After: 10 years` cannot make us give up on a server.
 *
 * The error class of the last failure (jobs/crawl/failure-class.ts) shapes the backoff: a
 * transient one (a timeout, a reset, SERVFAIL) is retried after `transientRetryMs` for the first
 * `transientRetries` failures of a streak, and the exponential backoff starts after them; a
 * permanent one (a refused connection, an invalid certificate, no such service) gets the
 * backoff from its first failure. Those short retries are extra tries, not extra evidence of
 * death, so they do not count towards `deadAfterFailures`. Only the server's status decides
 * whether it failed: an ok probe whose one step answered 4xx is alive, on the alive interval.
 *
 * Each lifecycle's interval comes from {@link intervalOf}, one branch per lifecycle.
 *
 * Kinds of fact (crawler/fact-kinds.ts, issue 12 item 1): a probe measures liveness every time and
 * the other kinds only when their cadence (crawler/policy/cadence.ts) has passed since they were
 * last measured, at the first probe after that ({@link dueKinds}); the registration request only
 * while the last answer says sign-up might be open or the version or features changed since.
 * The request budget (item 2) shapes both: a server whose budget (lowered by its Crawl-delay or a
 * 429/503) cannot pay hourly liveness is probed less often (crawler/policy/cadence.ts `budgetPlan`),
 * a probe waits until the last day's requests leave room for its liveness, and the kinds that do
 * not fit in what is left of the day wait for a later probe.
 */
import { createHash } from 'node:crypto';
import type { ProbeErrorCode } from '../../crawler/errors.ts';
import type { Protocol, ServerStatus } from '../../crawler/types.ts';
import { failureClass, type FailureClass } from './failure-class.ts';
import { FACT_KINDS, withPrerequisites, type FactKind } from '../../crawler/fact-kinds.ts';
import type { RegistrationMode } from '../../crawler/types.ts';
import { forgottenAt, type RequestLogEntry } from '../../crawler/net/request-budget.ts';
import { BUDGET_BUCKET_MS, budgetPlan, CADENCE, DEFAULT_DAILY_REQUEST_BUDGET, effectiveBudget, LIVENESS_JITTER, mergePaceSignals, SETTLED_REGISTRATION, type PaceSignals } from '../../crawler/policy/cadence.ts';

export const LIFECYCLES = ['new', 'alive', 'moved', 'failing', 'dead', 'disallowed', 'opted-out'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

/** A server's history, as `db/queries/frontier/list-server-history.ts` summarises it. */
export interface ServerHistory {
  /** Time of the last probe of this server; `null` when never probed. */
  lastAt: Date | null;
  lastStatus: ServerStatus | null;
  /** Time of the last ok probe; `null` when never ok. */
  lastOkAt: Date | null;
  /** Consecutive non-ok probes after `lastOkAt` (all probes when never ok). */
  failuresSinceOk: number;
  /**
   * First non-ok probe of the current failure streak (`null` when the last probe is ok).
   * The history query looks back a bounded window (longer than twice the ceiling), so for
   * a server down for months this is the oldest failure in the window: still far enough
   * back to keep it dead and at the ceiling.
   */
  failingSince: Date | null;
  /** Endpoint of the last probe ('' when none). */
  endpoint: string;
  /** Endpoint of the ok probe before the last ok one ('' when none). */
  previousOkEndpoint: string;
  /**
   * The failure code of the last probe (`ServerSnapshot.failure`): `null` when it was ok, or
   * when its snapshot stored no code. Its error class shapes the backoff.
   */
  lastFailure: ProbeErrorCode | null;
  /** When each kind of fact was last measured (crawler/fact-kinds.ts); a kind absent was not, in the window. @default {} */
  measuredAt?: Partial<Record<FactKind, Date>>;
  /**
   * The last registration request: the mode it showed (`null`: none in the window), and whether
   * the version or the features (login flows) changed since. @default { mode: null, changed: false }
   */
  register?: { mode: RegistrationMode | null; changed: boolean };
  /** Requests sent per snapshot over the 25 hours before now, as stored. @default [] */
  requestLog?: readonly RequestLogEntry[];
  /** The last 429/503 with Retry-After and the last Crawl-delay read, as stored: they lower the budget for a week. @default {} */
  pace?: PaceSignals;
}

/** Politeness facts that can only delay a probe. */
export interface ScheduleHints {
  /** The server said to come back no earlier than this (HTTP `Retry-After`). */
  retryAfterUntil?: Date | null;
  /** robots.txt `Crawl-delay`, in ms: least time between two probes. */
  crawlDelayMs?: number | null;
  /** When a probe last read that Crawl-delay: it lowers the budget for a week after (crawler/policy/cadence.ts). @default now */
  crawlDelayAt?: Date | null;
  /** An active opt-out (registration or `opt_outs`). */
  optedOut?: boolean;
  /** When the server last answered 429/503 with Retry-After: its request budget is halved for a while. */
  rateLimitedAt?: Date | null;
}

/** Tuning of {@link scheduleServer}. Every field has a default. */
export interface ScheduleOptions {
  /** Interval between probes of a live server. @default 3_600_000 (1 h, crawler/policy/cadence.ts CADENCE.liveness) */
  aliveIntervalMs?: number;
  /** Relative jitter applied to every interval, in [0, 0.5]. @default 0.1 (crawler/policy/cadence.ts LIVENESS_JITTER) */
  jitter?: number;
  /** Requests per server in any 24 hours before lowering (crawler/policy/cadence.ts). @default 720 */
  dailyRequestBudget?: number;
  /** First backoff interval after a failure. @default 3_600_000 (1 h) */
  backoffBaseMs?: number;
  /**
   * Interval after a transient failure (a timeout, a reset, SERVFAIL), for the first
   * `transientRetries` failures in a row. The serve scheduler re-plans at least every 15 min,
   * so a shorter value gains nothing there. @default 900_000 (15 min)
   */
  transientRetryMs?: number;
  /** Short retries of a transient failure streak before the backoff. 0: none. @default 2 */
  transientRetries?: number;
  /** Longest interval for a failing or dead server: it is never given up. @default 604_800_000 (7 d) */
  ceilingMs?: number;
  /** Failing for this long: dead. @default 604_800_000 (7 d) */
  deadAfterMs?: number;
  /** This many failures in a row: dead (even when the window hides how long). @default 8 */
  deadAfterFailures?: number;
  /** Re-read robots.txt of a server that disallows us this often. @default 86_400_000 (1 d) */
  disallowedRecheckMs?: number;
}

/** What the schedule decided for one server. */
export interface ScheduleDecision {
  lifecycle: Lifecycle;
  /** When the next probe is due; `null` = not while opted out. */
  dueAt: Date | null;
  /** One line for logs and the server page, e.g. "failing: 3 failures, backoff 4h". */
  reason: string;
  /** Kinds of fact to measure at `dueAt`: liveness, and the others whose cadence has passed and that fit the budget. */
  due: FactKind[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Resolve options and validate them, quoting a bad value. */
export function scheduleOptions(options: ScheduleOptions = {}): Required<ScheduleOptions> {
  const o = {
    aliveIntervalMs: options.aliveIntervalMs ?? CADENCE.liveness.intervalMs,
    jitter: options.jitter ?? LIVENESS_JITTER,
    dailyRequestBudget: options.dailyRequestBudget ?? DEFAULT_DAILY_REQUEST_BUDGET,
    backoffBaseMs: options.backoffBaseMs ?? HOUR,
    transientRetryMs: options.transientRetryMs ?? 15 * 60_000,
    transientRetries: options.transientRetries ?? 2,
    ceilingMs: options.ceilingMs ?? 7 * DAY,
    deadAfterMs: options.deadAfterMs ?? 7 * DAY,
    deadAfterFailures: options.deadAfterFailures ?? 8,
    disallowedRecheckMs: options.disallowedRecheckMs ?? DAY,
  };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v) || v < 0) throw new TypeError(`schedule option ${k} must be a finite number >= 0, got ${JSON.stringify(v)}`);
  }
  if (o.jitter > 0.5) throw new TypeError(`schedule option jitter must be in [0, 0.5], got ${o.jitter}`);
  if (o.aliveIntervalMs <= 0 || o.backoffBaseMs <= 0 || o.transientRetryMs <= 0) throw new TypeError('schedule intervals must be > 0');
  if (!Number.isInteger(o.dailyRequestBudget) || o.dailyRequestBudget < 1) throw new TypeError(`schedule option dailyRequestBudget must be an integer >= 1, got ${o.dailyRequestBudget}`);
  if (!Number.isInteger(o.transientRetries)) throw new TypeError(`schedule option transientRetries must be an integer >= 0, got ${o.transientRetries}`);
  if (o.ceilingMs < o.backoffBaseMs) throw new TypeError(`schedule option ceilingMs (${o.ceilingMs}) must be >= backoffBaseMs (${o.backoffBaseMs})`);
  return o;
}

/** The lifecycle of a server from its history (no clock involved). */
export function lifecycleOf(history: ServerHistory, hints: ScheduleHints = {}, options: ScheduleOptions = {}): Lifecycle {
  const o = scheduleOptions(options);
  // The frontier's opt-out list (registrations, DNS TXT, robots.txt, re-read by housekeeping) decides
  // when the caller gives it; history alone only when it does not. A lifted opt-out probes at once.
  const optedOutBefore = history.lastStatus === 'opted-out';
  if (hints.optedOut ?? optedOutBefore) return 'opted-out';
  if (history.lastAt === null || history.lastStatus === null || optedOutBefore) return 'new';
  if (history.lastStatus === 'ok') {
    const moved = history.previousOkEndpoint !== '' && history.endpoint !== '' && history.endpoint !== history.previousOkEndpoint;
    return moved ? 'moved' : 'alive';
  }
  if (history.lastStatus === 'disallowed') return 'disallowed';
  if (history.failuresSinceOk - shortRetries(history, o) >= o.deadAfterFailures) return 'dead';
  const since = history.failingSince ?? history.lastAt;
  return history.lastAt.getTime() - since.getTime() >= o.deadAfterMs ? 'dead' : 'failing';
}

/**
 * Decide the lifecycle and the next due time of one server.
 * @param key identifies the server; it seeds the jitter, so two servers probed
 *   at the same time spread out, while one server always gets the same answer.
 * @param now when the plan runs: a server already due is probed now, so its kinds of fact
 *   are those due now, not at its (earlier) due time. @default the due time
 */
export function scheduleServer(
  key: { domain: string; protocol: Protocol },
  history: ServerHistory,
  hints: ScheduleHints = {},
  options: ScheduleOptions = {},
  now?: Date,
): ScheduleDecision {
  const o = scheduleOptions(options);
  const lifecycle = lifecycleOf(history, hints, o);
  if (lifecycle === 'opted-out') return { lifecycle, dueAt: null, reason: 'opted out by its owner: not probed until lifted', due: [] };
  if (lifecycle === 'new' || history.lastAt === null) return { lifecycle, dueAt: new Date(0), reason: 'never probed: due now', due: [...FACT_KINDS] };

  const limit = budgetOf(hints, history.pace ?? {}, o, history.lastAt.getTime());
  const plan = budgetPlan(limit, o.jitter);
  const { interval: base, reason: why } = intervalOf(lifecycle, history, o);
  // A budget that cannot pay for hourly liveness spaces the probes of a live server further apart.
  const interval = lifecycle === 'alive' || lifecycle === 'moved' ? Math.max(base, plan.livenessIntervalMs) : base;
  let reason = interval > base ? `${why}, spaced to ${formatMs(interval)} by a budget of ${limit} requests a day` : why;
  const jittered = Math.min(Math.max(interval * (1 + o.jitter * (2 * unitHash(`${key.protocol}\0${key.domain}\0${history.lastAt.getTime()}`) - 1)), 1), Math.max(o.ceilingMs, interval));
  const last = history.lastAt.getTime();
  let due = last + jittered;
  // Politeness can only delay, and never beyond the ceiling.
  const latest = last + Math.max(o.ceilingMs, interval);
  if (hints.crawlDelayMs && hints.crawlDelayMs > 0) due = Math.max(due, Math.min(last + hints.crawlDelayMs, latest));
  if (hints.retryAfterUntil) {
    const until = Math.min(hints.retryAfterUntil.getTime(), latest);
    if (until > due) {
      due = until;
      reason += ', Retry-After honoured';
    }
  }
  // The budget: wait until the last day's requests leave room for a liveness probe (never past the ceiling).
  const log = history.requestLog ?? [];
  const room = roomAt(log, due, limit, plan.caps.liveness, latest);
  if (room > due) {
    due = room;
    reason += `, waits for its daily budget (${limit})`;
  }
  const probedAt = Math.max(due, now?.getTime() ?? due);
  const kinds = lifecycle === 'disallowed' ? ['liveness' as const] : dueKinds(history, probedAt, { log, limit, caps: plan.caps });
  return { lifecycle, dueAt: new Date(due), reason: `${reason}; next in ${formatMs(due - last)}`, due: kinds };
}

/**
 * The server's budget after what it told us (crawler/policy/cadence.ts `effectiveBudget`): this
 * process's hints and the stored history merged as the network layer merges them.
 */
function budgetOf(hints: ScheduleHints, stored: PaceSignals, o: Required<ScheduleOptions>, now: number): number {
  return effectiveBudget(o.dailyRequestBudget, mergePaceSignals({
    crawlDelaySeconds: hints.crawlDelayMs ? hints.crawlDelayMs / 1000 : null,
    crawlDelayAt: hints.crawlDelayAt ? hints.crawlDelayAt.getTime() : null,
    rateLimitedAt: hints.rateLimitedAt ? hints.rateLimitedAt.getTime() : null,
  }, stored), now);
}

/** Requests of `log` the network layer still counts at `t`. */
export function usedAt(log: readonly RequestLogEntry[], t: number): number {
  let n = 0;
  for (const e of log) if (e.at <= t && forgottenAt(e.at) > t) n += e.n;
  return n;
}

/** The earliest time from `from` (at most `latest`) at which `need` more requests fit in the budget. */
function roomAt(log: readonly RequestLogEntry[], from: number, limit: number, need: number, latest: number): number {
  if (usedAt(log, from) + need <= limit) return from;
  for (const t of log.map((e) => forgottenAt(e.at)).filter((t) => t > from).sort((a, b) => a - b)) {
    if (t >= latest) return latest;
    if (usedAt(log, t) + need <= limit) return t;
  }
  return from;
}

/**
 * The kinds of fact due at `at`: liveness, and each other kind whose cadence has passed since it was last
 * measured (or that never was), the registration request only while its last answer was not settled
 * (crawler/policy/cadence.ts SETTLED_REGISTRATION) or the version or features changed since; then, while
 * the day's remaining budget cannot pay their caps, the room walk, the registration request and setup
 * are left for a later probe, in that order. Prerequisites come along (crawler/fact-kinds.ts).
 */
export function dueKinds(history: ServerHistory, at: number, budget?: { log: readonly RequestLogEntry[]; limit: number; caps: Record<FactKind, number> }): FactKind[] {
  const measured = history.measuredAt ?? {};
  // The interval and one bucket of the budget's count: yesterday's requests of a kind have left the count
  // (crawler/policy/cadence.ts BUDGET_BUCKET_MS) when it comes round again, so it never counts twice in a day.
  const passed = (k: FactKind): boolean => {
    const last = measured[k];
    return last === undefined || at - last.getTime() >= CADENCE[k].intervalMs + BUDGET_BUCKET_MS;
  };
  const due = new Set<FactKind>(['liveness']);
  if (passed('setup')) due.add('setup');
  // The room walk and the registration request need what setup finds (crawler/fact-kinds.ts
  // withPrerequisites): they wait for setup's own day rather than re-run it out of turn.
  if (passed('rooms') && due.has('setup')) due.add('rooms');
  if (passed('register') && due.has('setup')) {
    const mode = history.register?.mode ?? null;
    const never = measured.register === undefined;
    if (never || history.register?.changed === true || mode === null || !SETTLED_REGISTRATION.includes(mode)) due.add('register');
  }
  let kinds = withPrerequisites([...due]);
  if (budget) {
    const left = budget.limit - usedAt(budget.log, at);
    const cost = (ks: readonly FactKind[]): number => ks.reduce((n, k) => n + budget.caps[k], 0);
    for (const drop of ['rooms', 'register', 'setup'] as const) {
      if (cost(kinds) <= left) break;
      due.delete(drop);
      kinds = withPrerequisites([...due]);
    }
  }
  return kinds;
}

/** The interval after the last probe, and why, for a server that has been probed and is not opted out. */
export function intervalOf(lifecycle: Lifecycle, history: ServerHistory, o: Required<ScheduleOptions>): { interval: number; reason: string } {
  switch (lifecycle) {
    case 'alive':
      return { interval: o.aliveIntervalMs, reason: 'alive' };
    case 'moved':
      return { interval: o.aliveIntervalMs, reason: `moved from ${history.previousOkEndpoint} to ${history.endpoint}` };
    case 'disallowed':
      return { interval: o.disallowedRecheckMs, reason: 'robots.txt disallows: policy re-read daily' };
    default:
      return failingInterval(lifecycle, history, o);
  }
}

/** Failing or dead: a short retry while a transient streak has some left, else the backoff. */
function failingInterval(lifecycle: Lifecycle, history: ServerHistory, o: Required<ScheduleOptions>): { interval: number; reason: string } {
  const failures = Math.max(1, history.failuresSinceOk);
  const cls = classOf(history);
  const counted = `${lifecycle}: ${failures} failure${failures === 1 ? '' : 's'} since last ok`;
  const cause = history.lastFailure ? ` (${cls} ${history.lastFailure})` : '';
  const short = shortRetries(history, o);
  const lastAt = history.lastAt?.getTime() ?? 0;
  const failingFor = lastAt - (history.failingSince?.getTime() ?? lastAt);
  // Short retries fit in the first backoff interval: a streak older than that (its count cut by the window) backs off.
  if (lifecycle === 'failing' && failures <= short && failingFor < o.backoffBaseMs) {
    return { interval: o.transientRetryMs, reason: `${counted}${cause}, short retry ${failures} of ${o.transientRetries}` };
  }
  // The backoff doubles per failure beyond the short retries; 2^n overflows to Infinity for huge counts, min() keeps it finite.
  const exponent = Math.min(Math.max(0, failures - 1 - short), 60);
  return { interval: Math.min(o.ceilingMs, Math.max(o.backoffBaseMs * 2 ** exponent, failingFor)), reason: `${counted}${cause}` };
}

/** The error class of the last failure; an ok or never-probed server has none. */
function classOf(history: ServerHistory): FailureClass | null {
  if (history.lastStatus === null || history.lastStatus === 'ok') return null;
  return failureClass(history.lastStatus, history.lastFailure);
}

/** How many failures of the current streak are short retries: none unless the last failure is transient. */
function shortRetries(history: ServerHistory, o: Required<ScheduleOptions>): number {
  return classOf(history) === 'transient' ? Math.min(o.transientRetries, history.failuresSinceOk) : 0;
}

/** A stable number in [0, 1) from a string. */
export function unitHash(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32BE(0) / 2 ** 32;
}

function formatMs(ms: number): string {
  if (ms >= DAY) return `${(ms / DAY).toFixed(1)}d`;
  if (ms >= HOUR) return `${(ms / HOUR).toFixed(1)}h`;
  return `${Math.round(ms / 60_000)}m`;
}
