/**
 * The health report of one server on one protocol: the one model that the
 * server page (site/lib/health-report.ts), the API, `chatlas probe`
 * (jobs/report/format-probe.ts) and the registration page render, so the
 * four say the same thing line for line. Pure.
 *
 * Built from what the crawler wrote, in this order of authority:
 * 1. the crawler's own report items (its sentences and fixes) lead;
 * 2. failed steps are grouped by cause (their failure code), graded by the
 *    most important step each broke (step-weight.ts): one closed port is one
 *    finding listing every step it broke. The crawler's first item about one
 *    of those steps that is at least as serious as the cause speaks for it
 *    (its sentence, its fix); its other items about them are folded into that
 *    one finding, never said twice;
 * 3. facts of the latest answered probe (certificate expiry, IPv6, DNSSEC,
 *    DANE, open registration) add what no step says.
 * Findings are ordered by level (errors first), in that order within a level.
 */
import { isFailureOutcome, type Outcome, type Protocol, type ReportItem, type ReportLevel } from '../types.ts';
import type { ProbeErrorCode } from '../errors.ts';
import { explainCode } from './code-help.ts';
import { factFindings, type HealthFacts } from './fact-findings.ts';
import { stepWeight, type StepWeight } from './step-weight.ts';

export type { HealthFacts } from './fact-findings.ts';

/** One probe step as the report needs it. */
export interface HealthStep {
  step: string;
  outcome: Outcome;
  /** The step's error message ('' when none). */
  error: string;
}

/** Everything the report is built from: the latest probe, and the facts of the latest one that answered. */
export interface HealthInput {
  protocol: Protocol;
  /** Status of the latest probe (`ServerStatus`; the store hands it over as a string). */
  status: string;
  /** Main error line of the latest probe, '' when ok. */
  error: string;
  /** The crawler's report items of the latest probe. */
  report: readonly ReportItem[];
  /** The steps of the latest probe, in the order they ran. */
  steps: readonly HealthStep[];
  /** Facts of the latest probe when it answered, else of the last one that did; null when none is known. */
  facts: HealthFacts | null;
  /** Dates certificate expiry. */
  now: Date;
}

/** One finding: what is wrong (or right), why, how to fix it, and which steps it is about. */
export interface Finding {
  level: ReportLevel;
  title: string;
  detail: string;
  fix: string;
  /** The probe steps this finding is about; a cause that broke several steps lists them all. */
  steps: string[];
}

/** Severity rank: lower is more serious. */
export const LEVEL_RANK: Record<ReportLevel, number> = { error: 0, warn: 1, info: 2, ok: 3 };

const WEIGHT_LEVEL: Record<StepWeight, ReportLevel> = { core: 'error', secondary: 'warn', optional: 'info' };

/** Failed steps with one cause. */
interface Cause {
  code: ProbeErrorCode;
  /** The most serious level among its steps. */
  level: ReportLevel;
  steps: string[];
  errors: string[];
  /** Notes of its optional steps; they stand as the fix only when every step is optional. */
  notes: string[];
  allOptional: boolean;
}

/** Distinct error messages kept per cause. @default 5 */
const MAX_CAUSE_ERRORS = 5;

/**
 * Group the failed steps by failure code: one closed port (or one server down)
 * is one cause however many steps it broke, graded by the most important step
 * it broke (a step failing twice counts once).
 */
function causesOf(steps: readonly HealthStep[]): Cause[] {
  const causes = new Map<ProbeErrorCode, Cause>();
  for (const s of steps) {
    if (!isFailureOutcome(s.outcome)) continue;
    const { weight, note } = stepWeight(s.step);
    // Chatlas holding back (robots.txt, opt-out, rate limit) is never the server's fault.
    const level = s.outcome.startsWith('policy.') ? 'info' : WEIGHT_LEVEL[weight];
    let cause = causes.get(s.outcome);
    if (!cause) {
      cause = { code: s.outcome, level, steps: [], errors: [], notes: [], allOptional: true };
      causes.set(s.outcome, cause);
    }
    if (LEVEL_RANK[level] < LEVEL_RANK[cause.level]) cause.level = level;
    if (weight !== 'optional') cause.allOptional = false;
    if (!cause.steps.includes(s.step)) cause.steps.push(s.step);
    if (s.error && !cause.errors.includes(s.error) && cause.errors.length < MAX_CAUSE_ERRORS) cause.errors.push(s.error);
    if (note && !cause.notes.includes(note)) cause.notes.push(note);
  }
  return [...causes.values()];
}

/** The headline of a probe that did not answer. */
function statusFinding(input: HealthInput): Finding {
  if (input.status === 'disallowed' || input.status === 'opted-out') {
    return { level: 'info', title: `Not probed at the latest pass (${input.status})`, detail: input.error, fix: '', steps: [] };
  }
  return { level: 'error', title: `Not reachable at the latest probe (${input.status})`, detail: input.error || 'The server did not answer.', fix: '', steps: [] };
}

/** Build the report. */
export function buildHealthReport(input: HealthInput): Finding[] {
  const head: Finding[] = input.status === 'ok' ? [] : [statusFinding(input)];
  const unexplained: Finding[] = [];
  // The crawler's items, each with the step it was written about (kept apart from the steps it absorbs).
  const items = input.report.map((item) => ({ item, finding: { level: item.level, title: item.message, detail: '', fix: item.fix ?? '', steps: [item.step] } as Finding, folded: false }));
  for (const cause of causesOf(input.steps)) {
    const help = explainCode(cause.code);
    // The crawler's items about the broken steps: the first at least as serious as the cause speaks for it.
    const about = items.filter((x) => !x.folded && x.item.level !== 'ok' && cause.steps.includes(x.item.step));
    const leader = about.find((x) => LEVEL_RANK[x.item.level] <= LEVEL_RANK[cause.level]);
    const others = about.filter((x) => x !== leader);
    // The others are consequences of the same cause: said once, in the detail of the one finding.
    for (const x of others) x.folded = true;
    if (leader) {
      const f = leader.finding;
      for (const step of cause.steps) if (!f.steps.includes(step)) f.steps.push(step);
      const unsaid = cause.errors.filter((e) => !f.title.includes(e));
      f.detail = [f.detail, help.what, ...unsaid.map((e) => `(${e})`), ...others.map((x) => x.item.message)].filter(Boolean).join(' ');
      if (!f.fix) f.fix = help.fix;
      continue;
    }
    unexplained.push({
      level: cause.level,
      title: help.what,
      detail: [cause.errors.join('; '), ...others.map((x) => x.item.message)].filter(Boolean).join(' '),
      // For optional steps the notes say why they may fail and what to publish if wanted; the code's fix would overstate it.
      fix: cause.allOptional && cause.notes.length > 0 ? cause.notes.join(' ') : help.fix,
      steps: [...new Set([...cause.steps, ...others.map((x) => x.item.step)])],
    });
  }
  const crawler = items.filter((x) => !x.folded).map((x) => x.finding);
  const all = [...head, ...crawler, ...unexplained, ...factFindings(input.protocol, input.facts, input.report, input.now)];
  // Array.prototype.sort is stable: within a level, the status line, the crawler's items, causes, then facts.
  return all.sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level]);
}
