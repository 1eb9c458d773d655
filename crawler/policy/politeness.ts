/**
 * Per-host politeness: at most 1-2 requests at a time to one host, a least
 * interval between request starts (raised by robots.txt `crawl-delay`), a
 * pause after `Retry-After` (RFC 9110 §10.2.3) or 429/503. When to probe a
 * failed server again is the crawl schedule's (jobs/crawl/failure-class.ts,
 * by error class); here only {@link POLICY_CODES}, the host's own requests to wait.
 *
 * One p-queue per host that has work; idle hosts are dropped so memory
 * follows the number of hosts in flight, not the number crawled.
 *
 * The NetContext owns one registry (`ctx.politeness`, crawler/net/context.ts);
 * `fetchBounded` runs every HTTP hop in its host's slot and `ctx.connect`
 * every stream connect, so no caller can bypass it.
 */
import PQueue from 'p-queue';
import { ProbeError, type ProbeErrorCode } from '../errors.ts';
// The module object, not a named import: node:test's mock timers replace its `setTimeout`
// property, which an ESM named binding of a builtin would not see (the unit tests tick it).
import timersPromises from 'node:timers/promises';

/** Options of {@link createPoliteness}. */
export interface PolitenessOptions {
  /** Requests in flight per host (1 or 2). @default 2 */
  perHostConcurrency?: number;
  /** Least ms between the starts of two requests to one host (see crawler/config.ts `perHostIntervalMs`). @default 25 */
  minIntervalMs?: number;
  /** Longest wait accepted from crawl-delay or Retry-After; beyond it the task fails with `policy.rate-limited`. @default 60000 */
  maxWaitMs?: number;
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
  /**
   * Wait `ms` on the same clock as `now`, rejecting when `signal` aborts;
   * injectable so a test drives both and waits on no real time.
   * @default a timer (node:timers/promises)
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The per-host queue registry. */
export interface Politeness {
  /**
   * Run `task` under `host`'s limits (host names are compared in lower case).
   * `maxWaitMs` lowers the registry's longest accepted pause for this call:
   * a caller with a deadline fails fast with `policy.rate-limited` instead of
   * sleeping into it.
   */
  run<T>(host: string, task: (signal?: AbortSignal) => Promise<T>, opts?: { signal?: AbortSignal; maxWaitMs?: number }): Promise<T>;
  /** Apply robots.txt's crawl-delay (seconds) to `host`. */
  setCrawlDelay(host: string, seconds: number | null): void;
  /**
   * Pause `host` after a 429 or 503 for its `Retry-After` (5 s when absent or
   * invalid). Other statuses are ignored: on 3xx, Retry-After only delays the
   * redirected request (RFC 9110 §10.2.3), which is not a request to pause.
   */
  noteResponse(host: string, status: number, retryAfter?: string | null): void;
  /** Hosts with a queue or a pending pause (for tests and metrics). */
  readonly hosts: number;
}

interface HostState {
  /** Only while the host has work: idle hosts keep just their timing (a few numbers). */
  queue: PQueue | null;
  /** run() calls not yet finished for this host. */
  active: number;
  /** Earliest time the next request may start (interval reservations). */
  nextStart: number;
  /** No request starts before this time (Retry-After pauses). */
  pauseUntil: number;
  intervalMs: number;
}

/** Longest Retry-After pause remembered in memory. */
const MAX_PAUSE_MS = 86_400_000;

/** Most hosts remembered while idle (crawl-delay, pauses); oldest forgotten first. */
const MAX_IDLE_HOSTS = 10_000;

/**
 * Parse a `Retry-After` value: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * @returns milliseconds from `now`, or null when absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // HTTP-date forms (IMF-fixdate, RFC 850, asctime) all carry a month name.
  if (!/^[A-Za-z]{3}/.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** Statuses whose `Retry-After` asks a client to stop for a while (on 3xx it only delays the redirect). */
export function asksToPause(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * The `Retry-After` of a response that asks to pause, as observation facts (`{ retryAfter }`,
 * at most 100 characters), or `{}`: the crawl loop reads it back (jobs/crawl/probe-hints.ts).
 */
export function retryAfterFacts(status: number, headers: Record<string, string>): { retryAfter?: string } {
  const value = asksToPause(status) ? headers['retry-after'] : undefined;
  return value ? { retryAfter: value.slice(0, 100) } : {};
}

/**
 * What a probe's observations say about the server's pace, for its snapshot (`ServerSnapshot.rateLimited`,
 * `crawlDelaySeconds`, stored so the next process's budget starts lowered): whether a response asked
 * to pause with a `Retry-After` ({@link retryAfterFacts}), and the largest robots.txt `Crawl-delay` its
 * requests went by (`facts.crawlDelaySeconds`, crawler/probe/matrix-http.ts).
 */
export function paceOf(observations: readonly { facts?: Record<string, unknown> }[]): { rateLimited: boolean; crawlDelaySeconds: number | null } {
  let rateLimited = false;
  let delay: number | null = null;
  for (const o of observations) {
    const f = o.facts ?? {};
    if (typeof f['retryAfter'] === 'string' && f['retryAfter'] !== '') rateLimited = true;
    const d = f['crawlDelaySeconds'];
    if (typeof d === 'number' && Number.isFinite(d) && d > 0) delay = Math.max(delay ?? 0, d);
  }
  return { rateLimited, crawlDelaySeconds: delay };
}

/** Create a registry. */
export function createPoliteness(options: PolitenessOptions = {}): Politeness {
  const concurrency = options.perHostConcurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 2) {
    throw new TypeError(`perHostConcurrency must be 1 or 2, got ${JSON.stringify(concurrency)}`);
  }
  const minInterval = options.minIntervalMs ?? 25;
  if (!Number.isFinite(minInterval) || minInterval < 0) throw new TypeError(`minIntervalMs must be >= 0, got ${JSON.stringify(minInterval)}`);
  const maxWait = options.maxWaitMs ?? 60_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => timersPromises.setTimeout(ms, undefined, { signal }));
  const states = new Map<string, HostState>();

  function stateOf(host: string): HostState {
    let s = states.get(host);
    if (!s) {
      if (states.size >= MAX_IDLE_HOSTS) forgetIdle();
      s = { queue: null, active: 0, nextStart: 0, pauseUntil: 0, intervalMs: minInterval };
      states.set(host, s);
    }
    return s;
  }

  /** True when `s` holds nothing worth keeping: no work, interval and pause passed, no crawl-delay. */
  function idle(s: HostState): boolean {
    const t = now();
    return s.active === 0 && s.nextStart <= t && s.pauseUntil <= t && s.intervalMs === minInterval;
  }

  /** Drop idle hosts whose interval and pauses have passed (crawl-delays are re-learnt from robots.txt). */
  function forgetIdle(): void {
    const t = now();
    for (const [host, s] of states) {
      if (s.active === 0 && s.nextStart <= t && s.pauseUntil <= t) states.delete(host);
    }
  }

  /** Take the next start slot of `s`: after the last reservation's interval and any pause. */
  function reserve(s: HostState): number {
    const slot = Math.max(now(), s.nextStart, s.pauseUntil);
    s.nextStart = slot + s.intervalMs;
    return slot;
  }

  async function run<T>(hostName: string, task: (signal?: AbortSignal) => Promise<T>, opts: { signal?: AbortSignal; maxWaitMs?: number } = {}): Promise<T> {
    const host = hostName.toLowerCase();
    const s = stateOf(host);
    const longest = Math.min(maxWait, opts.maxWaitMs ?? maxWait);
    s.queue ??= new PQueue({ concurrency });
    s.active++;
    try {
      return await s.queue.add(async () => {
        // Reserve a start slot: later tasks line up behind this one's interval.
        let slot = reserve(s);
        for (;;) {
          const wait = slot - now();
          if (wait > longest) throw new ProbeError('policy.rate-limited', `${host} asks us to wait ${Math.round(wait / 1000)} s`);
          if (wait > 0) await sleep(wait, opts.signal).catch((e: unknown) => { throw ProbeError.from(opts.signal?.aborted ? opts.signal.reason : e, 'net.timeout'); });
          // A Retry-After that arrived while this task slept (from the other slot) still applies.
          if (s.pauseUntil > now()) slot = reserve(s);
          else break;
        }
        return task(opts.signal);
      }, { signal: opts.signal });
    } finally {
      if (--s.active === 0) {
        s.queue = null;
        // Nothing to remember once the interval and pause have passed and no crawl-delay is set.
        if (idle(s)) states.delete(host);
      }
    }
  }

  return {
    run,
    setCrawlDelay(hostName, seconds) {
      const s = stateOf(hostName.toLowerCase());
      s.intervalMs = Math.max(minInterval, Math.min(maxWait, (seconds ?? 0) * 1000));
    },
    noteResponse(hostName, status, retryAfter) {
      if (!asksToPause(status)) return;
      // Without a valid Retry-After: pause one backoff base (5 s) anyway.
      const pause = parseRetryAfter(retryAfter, now()) ?? 5_000;
      const s = stateOf(hostName.toLowerCase());
      // Capped at a day so the entry expires; longer asks are the schedule's (jobs/crawl/crawl.ts retryAfterOf).
      s.pauseUntil = Math.max(s.pauseUntil, now() + Math.min(pause, MAX_PAUSE_MS));
    },
    get hosts() {
      return states.size;
    },
  };
}

/**
 * Codes that mean "this host told us to stop" rather than "it failed": the crawl schedule never
 * retries them sooner than its full backoff, whatever `retryable` says (jobs/crawl/failure-class.ts).
 */
export const POLICY_CODES: readonly ProbeErrorCode[] = ['policy.robots-disallowed', 'policy.opted-out', 'policy.rate-limited', 'policy.budget-exhausted'];
