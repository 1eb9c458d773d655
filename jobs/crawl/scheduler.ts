/**
 * The long-running crawl loop of `chatlas serve`: run a pass, sleep until the
 * next server is due, run the next pass. Passes never overlap (one loop, one
 * pass at a time); a failed pass (the store down) is retried with backoff and
 * resumes where it stopped; `stop()` lets running probes finish, stores them,
 * and leaves the pass resumable.
 */
import type { PassSummary } from './crawl.ts';
import { HistoryCache } from './history-cache.ts';
import type { ScheduleHints } from './schedule.ts';
import { CRAWL_DELAY_MEMORY_MS, RATE_LIMIT_MEMORY_MS } from '../../crawler/policy/cadence.ts';

/**
 * Runs one pass; the scheduler passes the stop signal, the politeness hints it collected
 * and the servers' history it keeps between passes (so a plan reads only new snapshots).
 */
export type RunPass = (options: { signal: AbortSignal; hints: Map<string, ScheduleHints>; history: HistoryCache }) => Promise<PassSummary>;

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  runPass: RunPass;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Sleep that ends early when `signal` aborts. @default a timer */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Earliest a server probed in a pass can be due again (alive interval minus jitter). @default 3_240_000 (54 min) */
  minRevisitMs?: number;
  /** Shortest sleep between passes, so a busy frontier still lets the store breathe. @default 30_000 */
  minIdleMs?: number;
  /** Longest sleep between passes (new registrations and discoveries are picked up at least this often). @default 900_000 (15 min) */
  maxIdleMs?: number;
  /** Backoff after a failed pass: first wait, doubled up to `maxIdleMs`. @default 60_000 */
  errorBackoffMs?: number;
  logger?: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

/** What the loop is doing, for /metrics and the status page. */
export type SchedulerState = 'idle' | 'running-pass' | 'sleeping' | 'stopping' | 'stopped';

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class Scheduler {
  #o: Required<Omit<SchedulerOptions, 'logger'>> & Pick<SchedulerOptions, 'logger'>;
  #controller: AbortController | undefined;
  /** The loop's promise while it runs; its presence is what prevents a second loop. */
  #loop: Promise<void> | undefined;
  #hints = new Map<string, ScheduleHints>();
  #history = new HistoryCache();
  state: SchedulerState = 'idle';
  /** Passes run since start (for tests and status). */
  passes = 0;
  /** The last pass's summary. */
  last: PassSummary | undefined;

  constructor(options: SchedulerOptions) {
    this.#o = {
      clock: () => new Date(),
      sleep: defaultSleep,
      minRevisitMs: 54 * 60_000,
      minIdleMs: 30_000,
      maxIdleMs: 15 * 60_000,
      errorBackoffMs: 60_000,
      ...options,
    };
    for (const k of ['minRevisitMs', 'minIdleMs', 'maxIdleMs', 'errorBackoffMs'] as const) {
      const v = this.#o[k];
      if (!Number.isFinite(v) || v < 0) throw new TypeError(`scheduler option ${k} must be a finite number >= 0, got ${JSON.stringify(v)}`);
    }
    if (this.#o.minIdleMs > this.#o.maxIdleMs) throw new TypeError(`minIdleMs (${this.#o.minIdleMs}) must be <= maxIdleMs (${this.#o.maxIdleMs})`);
  }

  /** Start the loop (a second call while it runs does nothing). */
  start(): void {
    if (this.#loop) return;
    this.#controller = new AbortController();
    this.state = 'idle';
    this.#loop = this.#run(this.#controller.signal).finally(() => {
      this.state = 'stopped';
      this.#loop = undefined;
    });
  }

  /** Stop gracefully: resolves once the running pass has stored its results and the loop ended. */
  async stop(): Promise<void> {
    if (!this.#loop) return;
    this.state = 'stopping';
    this.#controller?.abort();
    await this.#loop;
  }

  /** How long to sleep after a pass that started at `startedAt`. */
  nextSleepMs(summary: PassSummary, startedAt: Date, now: Date): number {
    let due = startedAt.getTime() + this.#o.minRevisitMs;
    if (summary.plan.nextDueAt) due = Math.min(due, summary.plan.nextDueAt.getTime());
    return Math.min(this.#o.maxIdleMs, Math.max(this.#o.minIdleMs, due - now.getTime()));
  }

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const startedAt = this.#o.clock();
      this.state = 'running-pass';
      let wait: number;
      try {
        this.#pruneHints(startedAt);
        const summary = await this.#o.runPass({ signal, hints: this.#hints, history: this.#history });
        this.passes++;
        this.last = summary;
        failures = 0;
        this.#mergeHints(summary, startedAt);
        wait = this.nextSleepMs(summary, startedAt, this.#o.clock());
        this.#o.logger?.info({ passId: summary.passId, probed: summary.probed, sleepMs: wait }, 'scheduler: pass ended');
      } catch (error) {
        failures++;
        wait = Math.min(this.#o.maxIdleMs, this.#o.errorBackoffMs * 2 ** Math.min(failures - 1, 20));
        this.#o.logger?.error({ error: (error as Error)?.message?.split('\n')[0], failures, retryInMs: wait }, 'scheduler: pass failed; it resumes on the next run');
      }
      if (signal.aborted) break;
      this.state = 'sleeping';
      await this.#o.sleep(wait, signal);
    }
  }

  /**
   * Keep Retry-After hints until they expire, so the next plans honour them; the time of the
   * 429/503 is kept a week longer, while it halves the server's budget, and a Crawl-delay a week
   * after the last pass that read it, while it lowers the budget (crawler/policy/cadence.ts).
   */
  #mergeHints(summary: PassSummary, at: Date): void {
    for (const [key, until] of summary.retryAfter) this.#hints.set(key, { ...this.#hints.get(key), retryAfterUntil: until, rateLimitedAt: at });
    for (const [key, ms] of summary.crawlDelay ?? []) this.#hints.set(key, { ...this.#hints.get(key), crawlDelayMs: ms, crawlDelayAt: at });
  }

  #pruneHints(now: Date): void {
    const t = now.getTime();
    for (const [key, hint] of this.#hints) {
      const kept: ScheduleHints = { ...hint };
      if (kept.retryAfterUntil && kept.retryAfterUntil.getTime() <= t) delete kept.retryAfterUntil;
      if (kept.rateLimitedAt && t - kept.rateLimitedAt.getTime() >= RATE_LIMIT_MEMORY_MS) delete kept.rateLimitedAt;
      if (kept.crawlDelayAt && t - kept.crawlDelayAt.getTime() >= CRAWL_DELAY_MEMORY_MS) {
        delete kept.crawlDelayMs;
        delete kept.crawlDelayAt;
      }
      if (Object.values(kept).some((v) => v !== null && v !== undefined)) this.#hints.set(key, kept);
      else this.#hints.delete(key);
    }
  }
}
