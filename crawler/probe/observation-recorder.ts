/**
 * The step recorder of one probe, for both protocols: every step becomes an
 * Observation with an outcome of the closed union (crawler/outcome.ts), every
 * failure a recorded ProbeError (never thrown past the probe), and the health
 * report collects one line per notable finding. The Matrix probe adds its
 * HTTP plumbing on top (crawler/probe/matrix-http.ts `MatrixRecorder`).
 */
import { ProbeError } from '../errors.ts';
import type { Outcome } from '../outcome.ts';
import type { ReportItem } from '../report-item.ts';
import type { Observation, Protocol } from '../types.ts';

/** Longest raw reply kept in an observation, in characters. @default 64 KiB */
export const MAX_RAW_CHARS = 64 * 1024;
/** Longest error message kept in an observation, in characters. @default 500 */
export const MAX_ERROR_CHARS = 500;

/** What a step returns: an outcome (default `ok`), facts, the raw reply, and a message for an outcome that is not `ok`. */
export interface StepResult<T> {
  outcome?: Outcome;
  facts?: Record<string, unknown>;
  raw?: string;
  /** e.g. `HTTP 503` with outcome `http.status`. @default '' */
  error?: string;
  value: T;
}

/** The result of {@link ObservationRecorder.step}: the value, or the ProbeError that was recorded. */
export type StepOutcome<T> = { ok: true; value: T } | { ok: false; error: ProbeError };

export class ObservationRecorder {
  readonly observations: Observation[] = [];
  readonly report: ReportItem[] = [];
  readonly protocol: Protocol;
  readonly domain: string;
  readonly passId: string;
  readonly now: () => Date;

  constructor(protocol: Protocol, domain: string, passId: string, now: () => Date) {
    this.protocol = protocol;
    this.domain = domain;
    this.passId = passId;
    this.now = now;
  }

  /** Append one observation; raw and error are cut to {@link MAX_RAW_CHARS} and {@link MAX_ERROR_CHARS}. */
  record(step: string, outcome: Outcome, durationMs: number, facts: Record<string, unknown>, raw = '', error = ''): Observation {
    const obs: Observation = {
      passId: this.passId, domain: this.domain, protocol: this.protocol, step, observedAt: this.now(), outcome,
      durationMs: Math.max(0, Math.round(durationMs)), facts, raw: raw.slice(0, MAX_RAW_CHARS), error: error.slice(0, MAX_ERROR_CHARS),
    };
    this.observations.push(obs);
    return obs;
  }

  /**
   * Run one step: its result is recorded with its `outcome` (default `ok`); a
   * throw is recorded with the ProbeError code as outcome and returned as the
   * error, with `rawOnError()` as the raw reply.
   */
  async step<T>(step: string, work: () => Promise<StepResult<T>>, rawOnError: () => string = () => ''): Promise<StepOutcome<T>> {
    const t0 = performance.now();
    try {
      const r = await work();
      this.record(step, r.outcome ?? 'ok', performance.now() - t0, r.facts ?? {}, r.raw ?? '', r.error ?? '');
      return { ok: true, value: r.value };
    } catch (thrown) {
      const error = ProbeError.from(thrown);
      this.record(step, error.code, performance.now() - t0, {}, rawOnError(), error.message);
      return { ok: false, error };
    }
  }

  /**
   * Replace the outcome of the last observation of `step` (after parsing showed more); facts are merged.
   * Only right while one request of `step` is in flight: concurrent requests of one step amend their own
   * observation with {@link ObservationRecorder.amendObservation}.
   */
  amend(step: string, outcome: Outcome, facts: Record<string, unknown>, error = ''): void {
    for (let i = this.observations.length - 1; i >= 0; i--) {
      const obs = this.observations[i];
      if (obs && obs.step === step) {
        this.amendObservation(obs, outcome, facts, error);
        return;
      }
    }
  }

  /** Replace the outcome of `obs` (one this recorder returned); facts are merged, the error cut like {@link record}'s. */
  amendObservation(obs: Observation, outcome: Outcome, facts: Record<string, unknown>, error = ''): void {
    obs.outcome = outcome;
    obs.facts = { ...obs.facts, ...facts };
    if (error) obs.error = error.slice(0, MAX_ERROR_CHARS);
  }

  /** Add a report line. */
  note(step: string, level: ReportItem['level'], message: string, fix?: string): void {
    this.report.push(fix ? { step, level, message, fix } : { step, level, message });
  }
}
