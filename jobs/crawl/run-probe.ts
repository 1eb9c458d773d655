/**
 * One probe call of the crawl loop, under the loop's backstop deadline. The
 * probes keep their own, shorter deadline (`probeTimeoutMs`); this one is for
 * a probe that does not keep it. It goes through `withDeadline`
 * (crawler/net/deadline.ts), the one timeout helper: the probe gets the
 * deadline's signal, so a probe that loses the race is aborted with its
 * sockets instead of running on outside the loop's concurrency limit.
 */
import { ProbeError } from '../../crawler/errors.ts';
import { withDeadline } from '../../crawler/net/deadline.ts';
import type { FactKind, ProbeResult, Protocol, RegistrationMode } from '../../crawler/types.ts';
import type { RequestLogEntry } from '../../crawler/net/request-budget.ts';
import type { PaceSignals } from '../../crawler/policy/cadence.ts';
import { failedProbeResult } from './failed-probe-result.ts';

/**
 * What the plan tells one probe (jobs/crawl/plan-pass.ts): the kinds of fact due, the server's
 * requests over the last day and what it last said about our pace, as stored (to seed the network
 * layer's budget), and the last registration answer. Absent for a server the pass discovered: a
 * full first probe.
 */
export interface ProbePlan {
  due: FactKind[];
  requestLog: RequestLogEntry[];
  pace: PaceSignals;
  lastRegistration: RegistrationMode | null;
}

/**
 * The probe the loop calls: injected, so tests use the simulated federation and
 * `chatlas crawl` the real probes. It must stop, and close what it opened, when
 * `signal` aborts.
 */
export type ProbeFn = (domain: string, protocol: Protocol, options: { passId: string; now: Date; signal: AbortSignal; plan?: ProbePlan }) => Promise<ProbeResult>;

/** What {@link runProbe} returns. */
export interface ProbeRun {
  /** The probe's result, or the `error` result recorded for a probe that threw or overran. */
  result: ProbeResult;
  /** Why the probe call itself failed; `null` when it returned a result. */
  failure: ProbeError | null;
}

/**
 * Call `probe` for one server, at most `deadlineMs` long. Never throws: a probe
 * that throws or overran is recorded as that server's `error` result
 * (jobs/crawl/failed-probe-result.ts), with `net.timeout` for an overrun.
 * The loop owns `passId`, `domain` and `protocol` of the result: a probe cannot
 * file its result under another pass or server.
 */
export async function runProbe(probe: ProbeFn, domain: string, protocol: Protocol, options: { passId: string; now: Date; deadlineMs: number; plan?: ProbePlan }): Promise<ProbeRun> {
  const { passId, now, deadlineMs, plan } = options;
  const t0 = Date.now();
  try {
    const result = await withDeadline((signal) => probe(domain, protocol, { passId, now, signal, ...(plan ? { plan } : {}) }), deadlineMs, 'net.timeout');
    return { result: { ...result, snapshot: { ...result.snapshot, passId, domain, protocol } }, failure: null };
  } catch (error) {
    return { result: failedProbeResult(passId, domain, protocol, now, Date.now() - t0, error), failure: ProbeError.from(error) };
  }
}
