/**
 * Buffers probe results and writes them in batches, by size and by time,
 * through `insertProbeResults`. Flushes run one at a time in order; a failed
 * flush is retried with the SAME dedup token, so a batch the store stored but
 * whose acknowledgement was lost is dropped by ClickHouse instead of written
 * twice. `add` waits while a full batch is being written (backpressure), so
 * memory stays bounded however fast probes finish.
 */
import { createHash } from 'node:crypto';
import type { ProbeResult } from '../../crawler/types.ts';

/** Writes one batch; `token` identifies it for deduplication. */
export type WriteBatch = (results: ProbeResult[], token: string) => Promise<void>;

/** Options of {@link ResultBatcher}. */
export interface ResultBatcherOptions {
  /** Servers per batch. @default 200 */
  maxBatch?: number;
  /** Longest time a result waits in the buffer. @default 2000 */
  maxDelayMs?: number;
  /** Attempts of one batch before the error is thrown to the pass. @default 4 */
  attempts?: number;
  /** Waits between attempts (ms), the last value repeats. @default [250, 1000, 4000] */
  retryDelaysMs?: number[];
  /** Called after each acknowledged batch. */
  onStored?: (results: ProbeResult[], durationMs: number) => void;
  /** Write-ahead journal (jobs/crawl/batch-journal.ts): each batch is recorded before it is sent and forgotten once acknowledged. */
  journal?: { write(token: string, results: ProbeResult[]): void; remove(token: string): void };
}

export class ResultBatcher {
  #write: WriteBatch;
  #maxBatch: number;
  #maxDelayMs: number;
  #attempts: number;
  #retryDelaysMs: number[];
  #onStored: ResultBatcherOptions['onStored'];
  #journal: ResultBatcherOptions['journal'];
  /** Results not yet handed to a flush. */
  #buffer: ProbeResult[] = [];
  /** The chain of flushes; each starts when the previous one settled. */
  #flushing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  /** The first flush error: the pass must stop (nothing after it is acknowledged). */
  #failed: unknown = undefined;
  /** Results acknowledged by the store. */
  stored = 0;

  constructor(write: WriteBatch, options: ResultBatcherOptions = {}) {
    this.#write = write;
    this.#maxBatch = options.maxBatch ?? 200;
    this.#maxDelayMs = options.maxDelayMs ?? 2000;
    this.#attempts = options.attempts ?? 4;
    this.#retryDelaysMs = options.retryDelaysMs ?? [250, 1000, 4000];
    this.#onStored = options.onStored;
    this.#journal = options.journal;
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) throw new TypeError(`maxBatch must be an integer >= 1, got ${JSON.stringify(options.maxBatch)}`);
    if (!(this.#maxDelayMs >= 0)) throw new TypeError(`maxDelayMs must be >= 0, got ${JSON.stringify(options.maxDelayMs)}`);
  }

  /** Queue a result; resolves once it is buffered (waiting for a full batch to be written first). */
  async add(result: ProbeResult): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    this.#buffer.push(result);
    if (this.#buffer.length >= this.#maxBatch) {
      await this.#flushNow();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#flushNow().catch(() => { /* kept in #failed, thrown by the next add or flush */ });
      }, this.#maxDelayMs);
    }
  }

  /** Write everything buffered and wait for all flushes. @throws the first write error. */
  async flush(): Promise<void> {
    await this.#flushNow();
    await this.#flushing;
    if (this.#failed !== undefined) throw this.#failed;
  }

  #flushNow(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#buffer.length === 0) return this.#flushing;
    const batch = this.#buffer;
    this.#buffer = [];
    const token = batchToken(batch);
    this.#flushing = this.#flushing.then(async () => {
      if (this.#failed !== undefined) return;
      const started = Date.now();
      try {
        this.#journal?.write(token, batch);
        await this.#writeWithRetries(batch, token);
        this.#journal?.remove(token);
      } catch (error) {
        this.#failed = error;
        throw error;
      }
      this.stored += batch.length;
      this.#onStored?.(batch, Date.now() - started);
    });
    return this.#flushing;
  }

  async #writeWithRetries(batch: ProbeResult[], token: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#write(batch, token);
        return;
      } catch (error) {
        if (attempt >= this.#attempts) throw error;
        const delay = this.#retryDelaysMs[Math.min(attempt - 1, this.#retryDelaysMs.length - 1)] ?? 1000;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

/**
 * A token derived from the batch's content: (pass, protocol, domain, time) of each
 * snapshot. Never a sequence number: after a restart a counter would repeat and
 * ClickHouse would silently drop a different batch as a "duplicate".
 */
export function batchToken(results: ProbeResult[]): string {
  const h = createHash('sha256');
  for (const r of results) {
    const s = r.snapshot;
    h.update(`${s.passId}\0${s.protocol}\0${s.domain}\0${s.observedAt.getTime()}\0${r.observations.length}\0${r.rooms.length}\0`);
  }
  return h.digest('hex').slice(0, 40);
}
