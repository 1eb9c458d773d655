/**
 * The ProbeResult recorded when a probe function itself failed (threw, or
 * overran the loop's backstop deadline). Probes are meant to return their
 * failures as data; this is the safety net that keeps one broken server, or a
 * bug, from stopping a pass, and still leaves a visible record of it.
 */
import { ProbeError } from '../../crawler/errors.ts';
import type { ProbeResult, Protocol } from '../../crawler/types.ts';

/** A result with status `error`, one `crawl.probe` observation and the error's code (its `failure`, which the schedule classes). */
export function failedProbeResult(passId: string, domain: string, protocol: Protocol, observedAt: Date, durationMs: number, error: unknown): ProbeResult {
  const e = ProbeError.from(error);
  const message = `${e.code}: ${e.message}`.slice(0, 500);
  return {
    snapshot: {
      passId, domain, protocol, observedAt, status: 'error', software: 'unknown', versionRaw: '', version: '',
      registration: 'unknown', features: [], specVersions: [], tls: null, dnssec: null, dane: null, ipv4: null, ipv6: null,
      publicRooms: 0, publicMembers: 0, users: null, endpoint: '', error: message, failure: e.code,
      report: [{ step: 'crawl.probe', level: 'error', message, fix: 'The probe did not finish normally; Chatlas retries it at the next pass with backoff.' }],
    },
    observations: [{
      passId, domain, protocol, step: 'crawl.probe', observedAt, outcome: e.code, durationMs, facts: {}, raw: '', error: message,
    }],
    rooms: [],
    discoveries: [],
  };
}
