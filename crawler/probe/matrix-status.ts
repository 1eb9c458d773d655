/**
 * What one Matrix probe concluded about a server, from its observations. Pure.
 * - `ok`: the federation or the client API answered with valid JSON;
 * - `disallowed`: robots.txt refused the API requests;
 * - `not-a-server`: no sign of Matrix at all (crawler/probe/protocol-sign.ts):
 *   no SRV record, no valid well-known, no TLS server on the federation
 *   target, whether or not a web server answers at the domain;
 * - `error`: a sign of Matrix, and something answered without the Matrix API
 *   (an HTTP error, a body that is not the API's JSON), or any other failure;
 * - `unreachable`: nothing answered (DNS, connection, TLS, timeouts).
 * When a DNS question was left unanswered (no sign could be ruled out), an
 * HTTP answer without the API is still `not-a-server`, as before signs were
 * weighed.
 */
import { isProbeErrorCode, type ProbeErrorCode } from '../errors.ts';
import type { Observation, ServerStatus } from '../types.ts';
import { isUnansweredDns, type ProtocolSign } from './protocol-sign.ts';

/** Steps whose failure explains the status. */
const KEY_STEPS = ['tls.federation', 'matrix.federation-version', 'matrix.client-versions', 'matrix.well-known-server'];

/** Steps whose unanswered DNS question leaves the sign open. */
const RESOLUTION_STEPS = new Set(['dns.srv-matrix-fed', 'dns.srv-matrix', 'matrix.well-known-server', 'tls.federation']);

/**
 * Whether the observations show Matrix at the server name: an SRV record
 * (`_matrix-fed._tcp` or the deprecated `_matrix._tcp`), a valid
 * `/.well-known/matrix/server` or `/client`, or a TLS server on the
 * federation target (a handshake happened, whatever came after). `unknown`
 * when a resolution question was left unanswered.
 */
export function matrixSign(observations: readonly Observation[]): ProtocolSign {
  const seen = observations.some((o) => {
    if (o.step === 'tls.federation') return o.outcome === 'ok' || o.outcome.startsWith('tls.');
    return o.outcome === 'ok' && (o.step === 'dns.srv-matrix-fed' || o.step === 'dns.srv-matrix' || o.step === 'matrix.well-known-server' || o.step === 'matrix.well-known-client');
  });
  if (seen) return 'seen';
  return observations.some((o) => RESOLUTION_STEPS.has(o.step) && isUnansweredDns(o.outcome)) ? 'unknown' : 'none';
}

/**
 * The status of one Matrix probe (see the file header).
 * @param got which APIs answered; `named`: the server name is an IP literal
 *   or names a port, which only a Matrix server name does (a sign of its own).
 */
export function matrixStatus(observations: readonly Observation[], got: { federation: boolean; client: boolean; named?: boolean }): { status: ServerStatus; error: string; failure?: ProbeErrorCode } {
  if (got.federation || got.client) return { status: 'ok', error: '' };
  const api = observations.filter((o) => o.step === 'matrix.federation-version' || o.step === 'matrix.client-versions');
  // The first key step that failed explains the status: its message, and its code for the schedule.
  const first = (): { error: string; failure?: ProbeErrorCode } => {
    for (const step of KEY_STEPS) {
      const o = observations.find((x) => x.step === step && x.outcome !== 'ok' && x.error);
      if (o) return { error: `${step}: ${o.error}`, ...(isProbeErrorCode(o.outcome) ? { failure: o.outcome } : {}) };
    }
    return { error: 'no Matrix API answered' };
  };
  if (api.length > 0 && api.every((o) => o.outcome === 'policy.robots-disallowed')) return { status: 'disallowed', error: 'robots.txt disallows the Matrix API', failure: 'policy.robots-disallowed' };
  const sign = got.named ? 'seen' : matrixSign(observations);
  if (sign === 'none') return { status: 'not-a-server', ...first() };
  const answered = observations.some((o) => o.step !== 'matrix.well-known-server' && typeof o.facts['status'] === 'number' && (o.facts['status'] as number) > 0);
  if (answered) return { status: sign === 'seen' ? 'error' : 'not-a-server', ...first() };
  const unreachable = observations.every((o) => o.outcome === 'ok' || o.outcome === 'absent' || /^(net|dns|tls|http\.timeout)/.test(o.outcome) || o.step.startsWith('dns.'));
  return { status: unreachable ? 'unreachable' : 'error', ...first() };
}
