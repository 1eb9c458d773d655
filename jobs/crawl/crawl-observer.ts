/**
 * Events of a crawl pass, for whoever watches it: the progress bar or JSON
 * log (jobs/crawl/progress.ts) and the Prometheus metrics (jobs/serve/metrics.ts). Every
 * method is optional and must not throw; the pass never waits on them.
 */
import type { Protocol } from '../../crawler/types.ts';

/** What a pass reports as it runs. */
export interface CrawlObserver {
  passStarted?(info: { passId: string; resumed: boolean; shard: string; planned: number; alreadyDone: number }): void;
  probeFinished?(info: { protocol: Protocol; domain: string; status: string; durationMs: number }): void;
  /** A batch acknowledged by the store: these servers are durably done in this pass. */
  batchStored?(info: { servers: number; durationMs: number; keys: readonly string[] }): void;
  /** Servers waiting in the queue (not yet started). */
  queueDepth?(depth: number): void;
  discovered?(info: { domain: string; accepted: boolean }): void;
  passFinished?(info: { passId: string; state: 'done' | 'stopped'; probed: number; durationMs: number; finishedAt: Date }): void;
}

/** Call several observers as one; an observer that throws is ignored (it must never stop a pass). */
export function combineObservers(...observers: Array<CrawlObserver | undefined>): CrawlObserver {
  const list = observers.filter((o): o is CrawlObserver => o !== undefined);
  const call = <K extends keyof CrawlObserver>(name: K, arg: Parameters<NonNullable<CrawlObserver[K]>>[0]) => {
    for (const o of list) {
      try {
        (o[name] as ((a: typeof arg) => void) | undefined)?.(arg);
      } catch {
        // A broken progress display or metric must not stop the crawl.
      }
    }
  };
  return {
    passStarted: (i) => call('passStarted', i),
    probeFinished: (i) => call('probeFinished', i),
    batchStored: (i) => call('batchStored', i),
    queueDepth: (d) => call('queueDepth', d),
    discovered: (i) => call('discovered', i),
    passFinished: (i) => call('passFinished', i),
  };
}
