/**
 * What one Matrix probe concluded about a server, from its observations. Pure.
 * - `ok`: the federation or the client API answered with valid JSON;
 * - `disallowed`: robots.txt refused the API requests;
 * - `not-a-server`: something answered HTTP, but no Matrix API;
 * - `unreachable`: nothing answered (DNS, connection, TLS, timeouts);
 * - `error`: anything else.
 */
import { isProbeErrorCode, type ProbeErrorCode } from '../errors.ts';
import type { Observation, ServerStatus } from '../types.ts';

/** Steps whose failure explains the status. */
const KEY_STEPS = ['tls.federation', 'matrix.federation-version', 'matrix.client-versions', 'matrix.well-known-server'];

export function matrixStatus(observations: readonly Observation[], got: { federation: boolean; client: boolean }): { status: ServerStatus; error: string; failure?: ProbeErrorCode } {
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
  const answered = observations.some((o) => o.step !== 'matrix.well-known-server' && typeof o.facts['status'] === 'number' && (o.facts['status'] as number) > 0);
  if (answered) return { status: 'not-a-server', ...first() };
  const unreachable = observations.every((o) => o.outcome === 'ok' || o.outcome === 'absent' || /^(net|dns|tls|http\.timeout)/.test(o.outcome) || o.step.startsWith('dns.'));
  return { status: unreachable ? 'unreachable' : 'error', ...first() };
}
