/**
 * The outcome of one probe step (`Observation.outcome`, stored in
 * `observations.outcome`): `ok`, one of a listed set of expected results, or
 * a ProbeError code. The crawler writes only these values; every reader of a
 * stored outcome goes through {@link parseOutcome}, which also maps what older
 * crawler versions wrote, and asks {@link isFailureOutcome} what is a failure.
 */
import { PROBE_ERROR_CODES, type ProbeErrorCode } from './errors.ts';

/**
 * Answers that are results, not failures (STYLE rule 4): the server said
 * something a healthy server may say.
 */
export const EXPECTED_OUTCOMES = [
  // Nothing published there: HTTP 404 (405 for optional endpoints), no SRV record, no A/AAAA address to try.
  'absent',
  // DNS answers (crawler/net/dns.ts `status`): the name exists without records of that type / does not exist.
  'nodata', 'nxdomain',
  // An SRV record whose target is "." (RFC 2782): the service is explicitly not offered.
  'not-offered',
  // A Matrix endpoint that needs an access token (room directory, space hierarchy).
  'auth-required',
  // XEP-0077: the register form was returned / the server refused the get with a stanza error (condition in
  // facts) / it closed the stream instead (ejabberd with registration off).
  'form', 'refused', 'stream-closed',
  // No observer account configured, or its login failed: the authenticated steps were not run.
  'no-account',
  // The server opted out of Chatlas (jobs/crawl/opted-out-result.ts): not probed.
  'opted-out',
] as const;
export type ExpectedOutcome = (typeof EXPECTED_OUTCOMES)[number];

/** What one step concluded. */
export type Outcome = 'ok' | ExpectedOutcome | ProbeErrorCode;

const EXPECTED: ReadonlySet<string> = new Set(EXPECTED_OUTCOMES);
const CODES: ReadonlySet<string> = new Set(PROBE_ERROR_CODES);

/** True for a value of the closed {@link Outcome} union. */
export function isOutcome(value: string): value is Outcome {
  return value === 'ok' || EXPECTED.has(value) || CODES.has(value);
}

/** True for an outcome that is a failure (a ProbeError code); `ok` and expected results are not. */
export function isFailureOutcome(outcome: Outcome): outcome is ProbeErrorCode {
  return CODES.has(outcome);
}

/** RFC 6120 §8.3.3 defined conditions (and any other bare lowercase word) as the old register-form outcome. */
const CONDITION = /^[a-z][a-z-]{0,63}$/;

/**
 * A stored outcome as the closed union. Values written before the union
 * (crawler at 06f9bea and earlier) are mapped to what the crawler now writes
 * for the same answer, never to a failure:
 * - the identified software name as the outcome of `xmpp.identify` (now in its facts) → `ok`;
 * - the server status as the outcome of `matrix.summary` (now in its facts) → `ok`;
 * - `http-404` → `absent`; any other `http-<status>` → `http.status` (the status is in the facts);
 * - a stanza error condition as the outcome of `xmpp.register-form` → `refused`.
 * Anything else unknown is a failure nobody named: `internal`.
 */
export function parseOutcome(step: string, stored: string): Outcome {
  if (isOutcome(stored)) return stored;
  if (step === 'xmpp.identify' || step === 'matrix.summary') return 'ok';
  const http = /^http-(\d{3})$/.exec(stored);
  if (http) return http[1] === '404' ? 'absent' : 'http.status';
  if (step === 'xmpp.register-form' && CONDITION.test(stored)) return 'refused';
  return 'internal';
}
