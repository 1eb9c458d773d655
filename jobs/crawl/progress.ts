/**
 * What a person sees while a pass runs: a live bar with rate, counts by
 * outcome and ETA when stdout is a terminal (cli-progress); structured JSON
 * lines otherwise (pino), one at start, one every `intervalMs`, one at the end.
 */
import { SingleBar } from 'cli-progress';
import pino, { type Logger } from 'pino';
import type { CrawlObserver } from './crawl-observer.ts';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** The terminal stream. @default process.stdout */
  stream?: NodeJS.WriteStream;
  /** Force the mode; by default a bar exactly when `stream.isTTY`. */
  tty?: boolean;
  /** JSON logger for the non-terminal mode. @default pino to `stream` */
  logger?: Logger;
  /** Least time between two JSON progress lines. @default 10000 */
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
    const bar = new SingleBar({
      stream,
      format: 'crawl {bar} {percentage}% | {value}/{total} servers | {rate}/s | {outcomes} | ETA {eta_formatted}',
      barsize: 24,
      etaBuffer: 200,
      hideCursor: true,
      clearOnComplete: false,
      // Crawled names never reach the bar: only counts and our own labels.
    });
    let active = false;
    return {
      passStarted: ({ planned, alreadyDone }) => {
        c.total = planned;
        c.done = alreadyDone;
        c.started = now();
        bar.start(planned, alreadyDone, { rate: '0.0', outcomes: '-' });
        active = true;
      },
      probeFinished: ({ status }) => {
        c.done++;
        c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
        bar.update(Math.min(c.done, c.total), { rate: rate(), outcomes: formatOutcomes(c.byStatus) });
      },
      discovered: ({ accepted }) => {
        if (!accepted) return;
        c.total++;
        bar.setTotal(c.total);
      },
      passFinished: () => {
        if (active) bar.stop();
        active = false;
      },
      stop: () => {
        if (active) bar.stop();
        active = false;
      },
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
