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
 */
import { createHash } from 'node:crypto';
import type { Protocol, ServerStatus } from '../../crawler/types.ts';

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
}

/** Politeness facts that can only delay a probe. */
export interface ScheduleHints {
  /** The server said to come back no earlier than this (HTTP `Retry-After`). */
  retryAfterUntil?: Date | null;
  /** robots.txt `Crawl-delay`, in ms: least time between two probes. */
  crawlDelayMs?: number | null;
  /** An active opt-out (registration or `opt_outs`). */
  optedOut?: boolean;
}

/** Tuning of {@link scheduleServer}. Every field has a default. */
export interface ScheduleOptions {
  /** Interval between probes of a live server. @default 3_600_000 (1 h) */
  aliveIntervalMs?: number;
  /** Relative jitter applied to every interval, in [0, 0.5]. @default 0.1 */
  jitter?: number;
  /** First backoff interval after a failure. @default 3_600_000 (1 h) */
  backoffBaseMs?: number;
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
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Resolve options and validate them, quoting a bad value. */
export function scheduleOptions(options: ScheduleOptions = {}): Required<ScheduleOptions> {
  const o = {
    aliveIntervalMs: options.aliveIntervalMs ?? HOUR,
    jitter: options.jitter ?? 0.1,
    backoffBaseMs: options.backoffBaseMs ?? HOUR,
    ceilingMs: options.ceilingMs ?? 7 * DAY,
    deadAfterMs: options.deadAfterMs ?? 7 * DAY,
    deadAfterFailures: options.deadAfterFailures ?? 8,
    disallowedRecheckMs: options.disallowedRecheckMs ?? DAY,
  };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v) || v < 0) throw new TypeError(`schedule option ${k} must be a finite number >= 0, got ${JSON.stringify(v)}`);
  }
  if (o.jitter > 0.5) throw new TypeError(`schedule option jitter must be in [0, 0.5], got ${o.jitter}`);
  if (o.aliveIntervalMs <= 0 || o.backoffBaseMs <= 0) throw new TypeError('schedule intervals must be > 0');
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
  if (history.failuresSinceOk >= o.deadAfterFailures) return 'dead';
  const since = history.failingSince ?? history.lastAt;
  return history.lastAt.getTime() - since.getTime() >= o.deadAfterMs ? 'dead' : 'failing';
}

/**
 * Decide the lifecycle and the next due time of one server.
 * @param key identifies the server; it seeds the jitter, so two servers probed
 *   at the same time spread out, while one server always gets the same answer.
 */
export function scheduleServer(
  key: { domain: string; protocol: Protocol },
  history: ServerHistory,
  hints: ScheduleHints = {},
  options: ScheduleOptions = {},
): ScheduleDecision {
  const o = scheduleOptions(options);
  const lifecycle = lifecycleOf(history, hints, o);
  if (lifecycle === 'opted-out') return { lifecycle, dueAt: null, reason: 'opted out by its owner: not probed until lifted' };
  if (lifecycle === 'new' || history.lastAt === null) return { lifecycle, dueAt: new Date(0), reason: 'never probed: due now' };

  let interval: number;
  let reason: string;
  if (lifecycle === 'alive' || lifecycle === 'moved') {
    interval = o.aliveIntervalMs;
    reason = lifecycle === 'moved' ? `moved from ${history.previousOkEndpoint} to ${history.endpoint}` : 'alive';
  } else if (lifecycle === 'disallowed') {
    interval = o.disallowedRecheckMs;
    reason = 'robots.txt disallows: policy re-read daily';
  } else {
    const failures = Math.max(1, history.failuresSinceOk);
    // 2^(failures-1) overflows to Infinity for huge counts; min() keeps it finite.
    const failingFor = history.lastAt.getTime() - (history.failingSince ?? history.lastAt).getTime();
    interval = Math.min(o.ceilingMs, Math.max(o.backoffBaseMs * 2 ** Math.min(failures - 1, 60), failingFor));
    reason = `${lifecycle}: ${failures} failure${failures === 1 ? '' : 's'} since last ok`;
  }
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
  return { lifecycle, dueAt: new Date(due), reason: `${reason}; next in ${formatMs(due - last)}` };
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
