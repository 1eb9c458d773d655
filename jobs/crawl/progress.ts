/**
 * What a person sees while a pass runs: a live bar with rate, counts by
 * outcome and ETA when stdout is a terminal (cli-progress); structured log
 * lines otherwise (pino), one at start, one every `intervalMs`, one at the end.
 *
 * On a terminal the bar keeps the last row: the CLI's log destination
 * (jobs/cli/log-destination.ts) clears it, prints each log line above it
 * and redraws it, so log lines never land in the middle of the bar.
 */
import { MultiBar } from 'cli-progress';
import pino, { type Logger } from 'pino';
import type { LogDestination } from '../cli/log-destination.ts';
import type { CrawlObserver } from './crawl-observer.ts';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** The terminal stream. @default process.stdout */
  stream?: NodeJS.WriteStream;
  /** Force the mode; by default a bar exactly when `stream.isTTY`. */
  tty?: boolean;
  /** Logger for the non-terminal mode. @default pino to `stream` */
  logger?: Logger;
  /**
   * Where the logger writes: the bar registers with it so log lines print
   * above the bar. Without it, log lines written to the same terminal while
   * the bar runs would overwrite the bar's row. @default none
   */
  logOutput?: Pick<LogDestination, 'holdStatusLine'>;
  /** Least time between two progress log lines. @default 10000 */
  intervalMs?: number;
  /** Clock for rates (tests). @default Date.now */
  now?: () => number;
}

/** Counters shared by both modes. */
interface Counts {
  total: number;
  done: number;
  byStatus: Record<string, number>;
  started: number;
}

/** One-line summary of the counts by outcome, most frequent first. */
export function formatOutcomes(byStatus: Record<string, number>): string {
  const parts = Object.entries(byStatus).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
  return parts.length ? parts.join(' · ') : '-';
}

/** Estimated seconds left at the rate so far, or null before any progress. */
export function etaSeconds(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || elapsedMs <= 0) return null;
  return Math.max(0, Math.round(((total - done) * elapsedMs) / done / 1000));
}

/** A CrawlObserver that shows progress, and `stop()` to release the terminal. */
export function createProgress(options: ProgressOptions = {}): CrawlObserver & { stop(): void } {
  const stream = options.stream ?? process.stdout;
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  const c: Counts = { total: 0, done: 0, byStatus: {}, started: now() };
  const rate = () => {
    const s = (now() - c.started) / 1000;
    return s > 0 ? (c.done / s).toFixed(1) : '0.0';
  };

  if (tty) {
    // A MultiBar with one bar rather than a SingleBar: SingleBar saves the cursor at start and
    // restores it at stop, which jumps back over any log line printed above the bar meanwhile.
    const bars = new MultiBar({
      stream,
      format: 'crawl {bar} {percentage}% | {value}/{total} servers | {rate}/s | {outcomes} | ETA {eta_formatted}',
      barsize: 24,
      etaBuffer: 200,
      hideCursor: true,
      clearOnComplete: false,
      // Redraw even when the text did not change: a log line may have just erased the row.
      forceRedraw: true,
      // Crawled names never reach the bar: only counts and our own labels.
    });
    let bar: ReturnType<MultiBar['create']> | undefined;
    let release = () => {};
    const end = () => {
      if (!bar) return;
      release();
      bars.stop();
      bar = undefined;
    };
    return {
      passStarted: ({ planned, alreadyDone }) => {
        c.total = planned;
        c.done = alreadyDone;
        c.started = now();
        end();
        bar = bars.create(planned, alreadyDone, { rate: '0.0', outcomes: '-' });
        release = options.logOutput?.holdStatusLine({
          // Erase the bar's row and leave the cursor at its start, where the log line goes.
          clear: () => { stream.write('\r\x1b[2K'); },
          redraw: () => { bars.update(); },
        }) ?? (() => {});
      },
      probeFinished: ({ status }) => {
        c.done++;
        c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
        bar?.update(Math.min(c.done, c.total), { rate: rate(), outcomes: formatOutcomes(c.byStatus) });
      },
      discovered: ({ accepted }) => {
        if (!accepted) return;
        c.total++;
        bar?.setTotal(c.total);
      },
      passFinished: end,
      stop: end,
    };
  }

  const log = options.logger ?? pino({ base: { component: 'crawl' } }, stream);
  const intervalMs = options.intervalMs ?? 10_000;
  let lastLine = 0;
  const progressLine = (force: boolean) => {
    if (!force && now() - lastLine < intervalMs) return;
    lastLine = now();
    log.info({ done: c.done, total: c.total, rate: Number(rate()), byStatus: c.byStatus, etaSeconds: etaSeconds(c.done, c.total, now() - c.started) }, 'crawl progress');
  };
  return {
    passStarted: (info) => {
      c.total = info.planned;
      c.done = info.alreadyDone;
      c.started = now();
      lastLine = now();
      log.info(info, 'pass started');
    },
    probeFinished: ({ status }) => {
      c.done++;
      c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
      progressLine(false);
    },
    discovered: ({ accepted }) => {
      if (accepted) c.total++;
    },
    passFinished: (info) => {
      progressLine(true);
      log.info({ ...info, byStatus: c.byStatus }, 'pass finished');
    },
    stop: () => {},
  };
}
