/**
 * A clock that moves only when the test says so, with a `sleep` on it: for
 * code that takes `now` and `sleep` options (the politeness registry), so a
 * test checks intervals and pauses exactly and never waits on real time.
 */

/** A sleeper waiting for the clock to reach `wakeAt`. */
interface Sleeper {
  wakeAt: number;
  wake: () => void;
}

/** The clock; pass `now` and `sleep` to the code under test. */
export interface FakeClock {
  /** Current fake time in ms. */
  now(): number;
  /** Resolves once `advance` reaches `now() + ms`; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Move the clock forward by `ms` and wake every sleeper that is due, earliest first. */
  advance(ms: number): void;
  /** Sleepers waiting now. */
  readonly sleepers: number;
  /** Earliest wake time of the waiting sleepers, or undefined. */
  nextWake(): number | undefined;
}

/** A fake clock starting at `start` (ms). */
export function createFakeClock(start = 1_000_000): FakeClock {
  let t = start;
  let waiting: Sleeper[] = [];
  return {
    now: () => t,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const sleeper: Sleeper = {
          wakeAt: t + ms,
          wake: () => {
            signal?.removeEventListener('abort', abort);
            resolve();
          },
        };
        function abort() {
          waiting = waiting.filter((s) => s !== sleeper);
          reject(signal?.reason);
        }
        signal?.addEventListener('abort', abort, { once: true });
        waiting.push(sleeper);
      });
    },
    advance(ms) {
      t += ms;
      const due = waiting.filter((s) => s.wakeAt <= t).sort((a, b) => a.wakeAt - b.wakeAt);
      waiting = waiting.filter((s) => s.wakeAt > t);
      for (const s of due) s.wake();
    },
    get sleepers() {
      return waiting.length;
    },
    nextWake: () => (waiting.length ? Math.min(...waiting.map((s) => s.wakeAt)) : undefined),
  };
}
