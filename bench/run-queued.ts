import PQueue from 'p-queue';

/**
 * Run `task(0 … n-1)` with at most `concurrency` at once, as the crawl loop
 * does (jobs/crawl/crawl.ts): the queue is fed lazily, so the backlog stays small
 * and memory measures the work in flight, not a queue of n closures.
 */
export async function runQueued(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  const queue = new PQueue({ concurrency });
  for (let i = 0; i < n; i++) {
    if (queue.size >= concurrency) await queue.onSizeLessThan(concurrency);
    void queue.add(() => task(i));
  }
  await queue.onIdle();
}
