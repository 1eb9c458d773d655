/**
 * The single timeout helper: every network wait in Chatlas goes through
 * `withDeadline` (house rule 5; xmpp.js `events/lib/promise.js` takes a
 * timeout at every wait, ky `utils/timeout.ts` clears its timer).
 */
import { ProbeError, type ProbeErrorCode } from '../errors.ts';

/** Work given an AbortSignal that fires when the deadline passes (or the parent aborts). */
export type DeadlineWork<T> = Promise<T> | ((signal: AbortSignal) => Promise<T> | T);

/**
 * Settle with `work`, or reject with `ProbeError(code)` after `ms` milliseconds,
 * or with the parent `signal`'s reason when it aborts first. When `work` is a
 * function it receives a signal that aborts on either, so it can close its
 * sockets. The timer and listeners are always cleared.
 *
 * @param ms Deadline in milliseconds (>= 0; `Infinity` means only the parent signal).
 * @param code The ProbeError code on expiry, e.g. `dns.timeout`, `http.timeout`.
 * @throws {ProbeError} with `code` on expiry; the parent's reason (as a ProbeError) on abort.
 * @example await withDeadline((signal) => fetchSomething({ signal }), 5000, 'http.timeout', probeSignal)
 */
export function withDeadline<T>(work: DeadlineWork<T>, ms: number, code: ProbeErrorCode, signal?: AbortSignal): Promise<T> {
  if (!(ms >= 0)) throw new TypeError(`withDeadline: ms must be >= 0, got ${JSON.stringify(ms)}`);
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onParentAbort);
    };
    const fail = (error: ProbeError): void => {
      finish();
      controller.abort(error);
      reject(error);
    };
    const onParentAbort = (): void => fail(ProbeError.from(signal?.reason ?? 'aborted', code));

    if (signal?.aborted) {
      onParentAbort();
      return;
    }
    signal?.addEventListener('abort', onParentAbort, { once: true });
    if (Number.isFinite(ms)) {
      timer = setTimeout(() => fail(new ProbeError(code, `timed out after ${ms} ms`)), ms);
    }

    let promise: Promise<T>;
    try {
      promise = Promise.resolve(typeof work === 'function' ? work(controller.signal) : work);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        // After a deadline the work usually fails with an AbortError: the
        // deadline's ProbeError was already delivered, so this is a no-op.
        reject(controller.signal.aborted && controller.signal.reason instanceof ProbeError ? controller.signal.reason : error);
      },
    );
  });
}

/** A promise that resolves after `ms`, or rejects with the signal's reason. For backoff waits. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(ProbeError.from(signal.reason, 'net.timeout'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(ProbeError.from(signal?.reason, 'net.timeout'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that aborts with `ProbeError(code)` after `ms`, or with the parent's reason. */
export interface DeadlineSignal {
  readonly signal: AbortSignal;
  /** Stop the timer and detach from the parent (call when the guarded work ends). */
  clear(): void;
}

/**
 * A whole-probe (or whole-step) deadline as an AbortSignal, for passing down
 * to several waits: each nested `withDeadline(..., signal)` then fails with
 * this deadline's ProbeError when it passes.
 * Unlike `AbortSignal.timeout`, whose timer lives until it fires, `clear()` ends it with the work.
 * @param message The expiry error's message. @default `deadline of <ms> ms passed`
 * @example const probe = deadlineSignal(config.probeTimeoutMs, 'net.timeout'); try { … } finally { probe.clear(); }
 */
export function deadlineSignal(ms: number, code: ProbeErrorCode, parent?: AbortSignal, message = `deadline of ${ms} ms passed`): DeadlineSignal {
  const controller = new AbortController();
  const onParent = (): void => controller.abort(ProbeError.from(parent?.reason ?? 'aborted', code));
  const timer = setTimeout(() => controller.abort(new ProbeError(code, message)), ms);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
