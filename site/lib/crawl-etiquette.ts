/**
 * What `/about/data` tells admins about Chatlas's pace, generated from the
 * constants the crawler and its schedule use (crawler/policy/cadence.ts,
 * crawler/config.ts defaults), so the page cannot drift from the code again
 * (issue 12 item 2: it said "about once a day, one connection at a time per
 * host" while the schedule probed hourly with two). Plain TypeScript, tested
 * under node --test.
 */
import {
  BUDGET_BUCKET_MS, budgetPlan, CADENCE, DEFAULT_DAILY_REQUEST_BUDGET, KIND_CAPS, LIVENESS_JITTER,
  CRAWL_DELAY_MEMORY_MS, MIN_DAILY_REQUEST_BUDGET, RATE_LIMIT_MEMORY_MS, SETTLED_REGISTRATION, maxLivenessPerDay,
} from '../../crawler/policy/cadence.ts';
import { crawlConfigTable } from '../../crawler/config.ts';
import { FACT_KINDS, type FactKind } from '../../crawler/fact-kinds.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A duration in the words the page uses: "1 hour", "24 hours", "7 days", "1 hour 6 minutes". */
export function formatDuration(ms: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms >= 2 * DAY) {
    const days = Math.floor(ms / DAY);
    const h = Math.round((ms - days * DAY) / HOUR);
    return h === 0 ? plural(days, 'day') : `${plural(days, 'day')} ${plural(h, 'hour')}`;
  }
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.round((ms - hours * HOUR) / MIN);
  if (hours === 0) return plural(minutes, 'minute');
  return minutes === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(minutes, 'minute')}`;
}

/** One row of the cadence table on the page. */
export interface CadenceRow {
  kind: FactKind;
  label: string;
  /** "every hour", "once a day", "at most once a week". */
  every: string;
  requests: string;
  /** When it is asked even less often, or ''. */
  condition: string;
  /** The oldest a shown fact of this kind gets while the server answers. */
  stalest: string;
  /** Most requests one probe spends on it. */
  cap: string;
}

/**
 * The cadence table: how often each kind of fact is re-measured, what it asks,
 * and how old a fact of that kind may be on the site while the server answers:
 * the interval (and one count bucket for the daily and weekly kinds), plus the
 * longest gap between two probes (the liveness interval and its jitter).
 */
export function cadenceRows(): CadenceRow[] {
  const plan = budgetPlan(DEFAULT_DAILY_REQUEST_BUDGET);
  const probeGap = CADENCE.liveness.intervalMs * (1 + LIVENESS_JITTER);
  return FACT_KINDS.map((kind) => {
    const c = CADENCE[kind];
    const wait = kind === 'liveness' ? 0 : c.intervalMs + BUDGET_BUCKET_MS;
    const every = kind === 'liveness'
      ? `every ${formatDuration(c.intervalMs)} (± ${Math.round(LIVENESS_JITTER * 100)} %)`
      : kind === 'register' ? `at most once every ${formatDuration(c.intervalMs)}` : `once every ${formatDuration(c.intervalMs)}`;
    const stalest = kind === 'liveness' ? formatDuration(probeGap) : `${formatDuration(wait + probeGap)}${kind === 'register' ? ` (plus up to a day: it waits for the day's setup probe)` : ''}`;
    return {
      kind, label: c.label, every, requests: c.requests, condition: c.condition ?? '', stalest,
      cap: kind === 'rooms' ? `what the day's budget leaves: ${plan.caps.rooms}` : String(KIND_CAPS[kind]),
    };
  });
}

/** The budget paragraph's figures, all from the constants. */
export interface BudgetFacts {
  /** Requests per server in any 24 hours. */
  daily: number;
  /** Average spacing the budget allows, e.g. "2 minutes". */
  spacing: string;
  /** Most liveness probes the budget can count at once. */
  livenessPerDay: number;
  /** Requests one probe may spend on liveness, setup and the registration request; what the room walk gets. */
  caps: { liveness: number; setup: number; register: number; rooms: number };
  /** A Crawl-delay of d seconds allows this many a day: 86,400 / d, for a week after it was last read. */
  crawlDelayRule: string;
  /** How long a 429/503 with Retry-After halves the budget. */
  rateLimitMemory: string;
  /** The budget never goes below this. */
  floor: number;
  /** Registration answers that are not asked again unless the server changes. */
  settled: string[];
  /** Requests at a time to one host, and the least gap between their starts. */
  perHost: { concurrency: number; intervalMs: number };
  /** The User-Agent every HTTP request carries. */
  userAgent: string;
}

/** The figures of the budget and politeness paragraphs. */
export function budgetFacts(): BudgetFacts {
  const plan = budgetPlan(DEFAULT_DAILY_REQUEST_BUDGET);
  return {
    daily: DEFAULT_DAILY_REQUEST_BUDGET,
    spacing: formatDuration(DAY / DEFAULT_DAILY_REQUEST_BUDGET),
    livenessPerDay: maxLivenessPerDay(plan.livenessIntervalMs),
    caps: { liveness: plan.caps.liveness, setup: plan.caps.setup, register: plan.caps.register, rooms: plan.caps.rooms },
    crawlDelayRule: `a Crawl-delay of d seconds allows at most 86,400 / d requests a day (600 s: 144) for ${formatDuration(CRAWL_DELAY_MEMORY_MS)} after robots.txt last said so`,
    rateLimitMemory: formatDuration(RATE_LIMIT_MEMORY_MS),
    floor: MIN_DAILY_REQUEST_BUDGET,
    settled: [...SETTLED_REGISTRATION],
    perHost: { concurrency: crawlConfigTable.perHostConcurrency.default, intervalMs: crawlConfigTable.perHostIntervalMs.default },
    userAgent: crawlConfigTable.userAgent.default,
  };
}

/** Short names of the kinds of fact, for the server page. */
export const KIND_SHORT_LABELS: Record<FactKind, string> = {
  liveness: 'status and version',
  setup: 'registration mode, TLS/DNS, well-knowns',
  rooms: 'room directory',
  register: 'registration request',
};

/** The server page's "last measured" lines: one per kind, with its ISO time or null (not in the last two weeks). */
export function measuredLines(measuredAt: Record<FactKind, string | null> | null): { kind: FactKind; label: string; at: string | null }[] {
  return FACT_KINDS.map((kind) => ({ kind, label: KIND_SHORT_LABELS[kind], at: measuredAt?.[kind] ?? null }));
}
