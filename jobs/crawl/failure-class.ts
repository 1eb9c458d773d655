/**
 * What a server's last failure says about when to try it again: the error
 * class decides, as in crawlee (retry soon, back off, or wait to be told),
 * never the message text. Pure; read by jobs/crawl/schedule.ts.
 */
import { isRetryableCode, type ProbeErrorCode } from '../../crawler/errors.ts';
import { POLICY_CODES } from '../../crawler/policy/politeness.ts';
import type { ServerStatus } from '../../crawler/types.ts';

/**
 * - `transient`: a timeout, a reset, SERVFAIL (`ProbeError.retryable`): the next
 *   try may well work, so it comes soon, a few times, before the backoff;
 * - `permanent`: what stays until someone changes something (a refused
 *   connection, an invalid certificate, NXDOMAIN, an HTTP status, a domain that
 *   runs no such service), and any failure without a stored code: the full backoff.
 */
export const FAILURE_CLASSES = ['transient', 'permanent'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/**
 * The class of a failed probe from its snapshot's status and failure code.
 * @param status the snapshot's status (not `ok`: an ok probe has no failure to
 *   classify, whatever one of its steps answered).
 * @param failure the snapshot's failure code; `null` when it stored none
 *   (snapshots from before the code was stored): treated as permanent, the
 *   backoff every failure had then.
 * @example failureClass('unreachable', 'dns.timeout') // 'transient'
 * @example failureClass('unreachable', 'tls.cert-invalid') // 'permanent'
 */
export function failureClass(status: ServerStatus, failure: ProbeErrorCode | null): FailureClass {
  // Nothing speaks the protocol there: asking again in a quarter hour will not change that.
  if (status === 'not-a-server' || failure === null) return 'permanent';
  // The server told us to wait (429/503, robots, opt-out): its Retry-After decides, never sooner.
  if (POLICY_CODES.includes(failure)) return 'permanent';
  return isRetryableCode(failure) ? 'transient' : 'permanent';
}
