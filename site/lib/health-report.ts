/**
 * The health report of a server page (and of the server API): the crawler's
 * one report model (crawler/health/health-report.ts), fed from the store: the
 * latest snapshot with its report items, the steps of its latest probe, and
 * the facts of the latest probe that answered (the last good snapshot when the
 * latest failed). `chatlas probe` and the registration page build the same
 * model from the probe result in memory.
 */
import type { ServerDetail, ServerState } from '../../db/queries/servers/get-server.ts';
import type { ObservationRow } from '../../db/queries/servers/get-server-observations.ts';
import { buildHealthReport, type Finding, type HealthFacts, type HealthInput } from '../../crawler/health/health-report.ts';

export type { Finding } from '../../crawler/health/health-report.ts';

/** The facts of a stored snapshot. */
function factsOf(s: ServerState): HealthFacts {
  return {
    tlsValid: s.tls_valid,
    tlsExpiresAt: s.tls_expires_at ? new Date(s.tls_expires_at) : null,
    tlsIssuer: s.tls_issuer,
    ipv6: s.ipv6,
    dnssec: s.dnssec,
    dane: s.dane,
    registration: s.registration,
  };
}

/** The report's input from the store. */
export function storedHealthInput(server: ServerDetail, observations: readonly ObservationRow[], now: Date): HealthInput {
  const { latest, lastOk } = server;
  const facts = latest.status === 'ok' ? latest : lastOk;
  return {
    protocol: server.protocol,
    status: latest.status,
    error: latest.error,
    report: latest.report,
    steps: observations.filter((o) => o.protocol === server.protocol).map((o) => ({ step: o.step, outcome: o.outcome, error: o.error })),
    facts: facts ? factsOf(facts) : null,
    now,
  };
}

/** The findings of one server on one protocol, most serious first. `now` dates certificate expiry. */
export function healthReport(server: ServerDetail, observations: readonly ObservationRow[], now: Date): Finding[] {
  return buildHealthReport(storedHealthInput(server, observations, now));
}
