/**
 * The health report of a fresh ProbeResult (`chatlas probe`, the
 * registration page): the same model as the server page builds from the
 * store (site/lib/health-report.ts), fed from the result in memory.
 */
import { isTlsValid, type ProbeResult } from '../types.ts';
import { buildHealthReport, type Finding, type HealthInput } from './health-report.ts';

/** The report's input from a probe result: facts only when the probe answered (nothing older is known here). */
export function probeHealthInput(result: ProbeResult, now: Date = result.snapshot.observedAt): HealthInput {
  const s = result.snapshot;
  return {
    protocol: s.protocol,
    status: s.status,
    error: s.error,
    report: s.report,
    steps: result.observations.filter((o) => o.protocol === s.protocol).map((o) => ({ step: o.step, outcome: o.outcome, error: o.error })),
    facts: s.status === 'ok'
      ? { tlsValid: isTlsValid(s.tls), tlsExpiresAt: s.tls?.validTo ?? null, tlsIssuer: s.tls?.issuer ?? '', ipv6: s.ipv6, dnssec: s.dnssec, dane: s.dane, registration: s.registration }
      : null,
    now,
  };
}

/** The health report of `result`, expiry dated at `now` (default: when it was observed). */
export function probeHealthReport(result: ProbeResult, now?: Date): Finding[] {
  return buildHealthReport(probeHealthInput(result, now));
}
