/**
 * The step recorder of one XMPP probe: every step becomes an Observation,
 * every failure a recorded ProbeError (never thrown past the probe), and the
 * health report collects one line per notable finding.
 */
import { ProbeError } from '../errors.ts';
import type { Observation, ReportItem } from '../types.ts';

/** Longest raw reply kept in an observation. @default 64 KiB */
export const MAX_RAW_CHARS = 64 * 1024;

/** What a step returns: an outcome (`ok`, `absent`, …), facts and the raw reply. */
export interface StepResult<T> {
  outcome?: string;
  facts?: Record<string, unknown>;
  raw?: string;
  value: T;
}

export class XmppRecorder {
  readonly observations: Observation[] = [];
  readonly report: ReportItem[] = [];
  readonly domain: string;
  readonly passId: string;
  readonly now: () => Date;

  constructor(domain: string, passId: string, now: () => Date) {
    this.domain = domain;
    this.passId = passId;
    this.now = now;
  }

  /** Append one observation. */
  record(step: string, outcome: string, durationMs: number, facts: Record<string, unknown>, raw = '', error = ''): void {
    this.observations.push({
      passId: this.passId, domain: this.domain, protocol: 'xmpp', step, observedAt: this.now(), outcome,
      durationMs: Math.max(0, Math.round(durationMs)), facts, raw: raw.slice(0, MAX_RAW_CHARS), error: error.slice(0, 500),
    });
  }

  /**
   * Run one step: its result is recorded with `outcome` (default `ok`); a
   * throw is recorded with the ProbeError code as outcome and returned as the
   * error. `raw` may be given on failure through `rawOnError`.
   */
  async step<T>(step: string, work: () => Promise<StepResult<T>>, rawOnError: () => string = () => ''): Promise<{ ok: true; value: T } | { ok: false; error: ProbeError }> {
    const t0 = performance.now();
    try {
      const r = await work();
      this.record(step, r.outcome ?? 'ok', performance.now() - t0, r.facts ?? {}, r.raw ?? '');
      return { ok: true, value: r.value };
    } catch (thrown) {
      const error = ProbeError.from(thrown);
      this.record(step, error.code, performance.now() - t0, {}, rawOnError(), error.message);
      return { ok: false, error };
    }
  }

  /** Add a report line. */
  note(step: string, level: ReportItem['level'], message: string, fix?: string): void {
    this.report.push(fix ? { step, level, message, fix } : { step, level, message });
  }
}
