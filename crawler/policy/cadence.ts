/**
 * How often Chatlas re-measures each kind of fact, and how many requests it
 * may send one server in a day: the constants the crawl schedule
 * (jobs/crawl/schedule.ts), the network layer's budget
 * (crawler/net/request-budget.ts) and the `/about/data` page all read, so what
 * the page tells admins is what the code does. Pure.
 *
 * The arithmetic that keeps a day within the budget: a probe spends at most
 * {@link KIND_CAPS} requests on each kind (the network layer refuses more),
 * liveness runs at most {@link maxLivenessPerDay} times in any 24 hours, the
 * daily and weekly kinds at most once, and the room walk gets what is left
 * ({@link budgetPlan}). The network layer enforces the budget itself on every
 * request over a rolling 24 hours, so the arithmetic only has to keep
 * liveness from being starved by a long room walk.
 */
import type { FactKind } from '../fact-kinds.ts';
import type { RegistrationMode } from '../types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One row of the cadence table. */
export interface Cadence {
  /** Least time between two measurements of this kind on one server. */
  intervalMs: number;
  /** What it covers, for the page. */
  label: string;
  /** Which requests it makes, for the page. */
  requests: string;
  /** When it is measured even less often than its interval (`register`), for the page. */
  condition?: string;
}

/**
 * The cadence table. Liveness runs at every probe of a live server (the
 * schedule's alive interval, with its jitter); the others when their interval
 * has passed since they were last measured, at the next probe after it.
 */
export const CADENCE: Record<FactKind, Cadence> = {
  liveness: {
    intervalMs: HOUR,
    label: 'Liveness, software and version',
    requests: 'Matrix: /.well-known/matrix/server and /_matrix/federation/v1/version (and robots.txt once a day); XMPP: one client and one server stream (features, TLS), disco#info and version through the observer account.',
  },
  setup: {
    intervalMs: DAY,
    label: 'Registration mode, TLS and DNS health, well-knowns',
    requests: 'Matrix: /.well-known/matrix/client and support, server keys, /_matrix/client/versions, login flows, auth metadata, IPv4/IPv6 connects; XMPP: A/AAAA/TLSA records, host-meta and the provider file.',
  },
  rooms: {
    intervalMs: DAY,
    label: 'Room directories and room details',
    requests: 'Matrix: publicRooms pages and public space hierarchies; XMPP: disco#items of the domain and its services, room lists and room disco#info.',
  },
  register: {
    intervalMs: 7 * DAY,
    label: 'The empty registration request',
    requests: 'Matrix: one empty POST /_matrix/client/v3/register (never completed); XMPP: one in-band registration form get.',
    condition: 'only while the last answer said sign-up might be open (any answer but closed), or when the version or the feature and login-flow list changed since',
  },
};

/** Relative jitter of the liveness interval (the schedule spreads servers by ± this much). @default 0.1 */
export const LIVENESS_JITTER = 0.1;

/**
 * Granularity of the budget's count (crawler/net/request-budget.ts): requests are
 * counted in 5-minute buckets, and a request is forgotten 24 hours after the end
 * of its bucket, so the count covers up to 24 h 5 min and never undercounts a day.
 * The daily kinds wait that long too (jobs/crawl/schedule.ts), so yesterday's room
 * walk has left the count when today's starts. @default 300000 (5 min)
 */
export const BUDGET_BUCKET_MS = 5 * 60_000;
/** The span the budget counts: a day and one bucket. */
export const BUDGET_WINDOW_MS = DAY + BUDGET_BUCKET_MS;

/**
 * Requests Chatlas may send one server in any 24 hours (HTTP requests and
 * redirect hops, stream and TCP connections, observer queries about it).
 * 720 is one every two minutes on average: a quarter of what a single Matrix
 * user's client sends while it is open: matrix-js-sdk (Element's) keeps a
 * `/sync` long-poll running whose timeout defaults to 30 s (src/sync.ts,
 * `pollTimeout`), 2,880 requests a day on an idle account before anything
 * else. @default 720
 */
export const DEFAULT_DAILY_REQUEST_BUDGET = 720;

/**
 * Most requests one probe may spend on a kind; the network layer refuses the
 * next one (`policy.budget-exhausted`). Worst cases, not the usual: liveness
 * is two or three requests, but a server with three SRV targets that all fail
 * TLS takes more. `rooms` has no fixed cap: it gets what the budget leaves.
 */
export const KIND_CAPS: Record<Exclude<FactKind, 'rooms'>, number> = { liveness: 10, setup: 20, register: 2 };

/** A lowered budget never goes below this, so a server that asked us to slow down is still seen weekly. @default 24 */
export const MIN_DAILY_REQUEST_BUDGET = 24;

/** How long a 429/503 with Retry-After halves the budget. @default 7 days */
export const RATE_LIMIT_MEMORY_MS = 7 * DAY;

/**
 * How long a robots.txt `Crawl-delay` lowers the budget after the last probe that read it. robots.txt is
 * read again at least daily, so a delay still in place is seen again long before; one taken out stops
 * counting a week after it was last seen (in memory and from the store alike). @default 7 days
 */
export const CRAWL_DELAY_MEMORY_MS = 7 * DAY;

/** What a server told us about our pace. */
export interface PaceSignals {
  /** robots.txt `Crawl-delay`, seconds. */
  crawlDelaySeconds?: number | null;
  /**
   * When a probe last read that `Crawl-delay`, epoch ms: it counts for {@link CRAWL_DELAY_MEMORY_MS}
   * after. Absent or null: read now (a caller that keeps no time for it).
   */
  crawlDelayAt?: number | null;
  /** When it last answered 429 or 503 with a `Retry-After`, epoch ms. */
  rateLimitedAt?: number | null;
}

/** Whether a signal seen at `at` still counts at `now`, `memoryMs` long. */
function recent(at: number, now: number, memoryMs: number): boolean {
  return Number.isFinite(at) && now >= at && now - at < memoryMs;
}

/**
 * The later of two records of a server's pace (one kept in memory, one read from the store): the
 * later 429/503, and the `Crawl-delay` read last. What {@link effectiveBudget} reads is the same
 * whichever of the two was seen first.
 */
export function mergePaceSignals(a: PaceSignals, b: PaceSignals): PaceSignals {
  const out: PaceSignals = {};
  const rl = Math.max(a.rateLimitedAt ?? -Infinity, b.rateLimitedAt ?? -Infinity);
  if (Number.isFinite(rl)) out.rateLimitedAt = rl;
  const delayOf = (p: PaceSignals) => (typeof p.crawlDelaySeconds === 'number' && p.crawlDelaySeconds > 0 ? p : null);
  const da = delayOf(a);
  const db = delayOf(b);
  // A delay with no time was read now: it wins over a stored one.
  const at = (p: PaceSignals) => p.crawlDelayAt ?? Infinity;
  const d = da && db ? (at(db) > at(da) ? db : da) : (da ?? db);
  if (d) {
    out.crawlDelaySeconds = d.crawlDelaySeconds!;
    if (d.crawlDelayAt != null) out.crawlDelayAt = d.crawlDelayAt;
  }
  return out;
}

/**
 * The budget of one server after what it told us: a `Crawl-delay` of d seconds
 * read in the last {@link CRAWL_DELAY_MEMORY_MS} allows at most 86,400 / d
 * requests a day; a 429 or 503 with `Retry-After` in the last
 * {@link RATE_LIMIT_MEMORY_MS} halves the budget. Never below
 * {@link MIN_DAILY_REQUEST_BUDGET}. The network layer applies it to what it saw
 * and what the store recorded (crawler/net/request-budget.ts), the schedule to
 * its hints and the stored history (jobs/crawl/schedule.ts).
 * @example effectiveBudget(720, { crawlDelaySeconds: 600 }, now) // 144
 */
export function effectiveBudget(base: number, signals: PaceSignals, now: number): number {
  let limit = base;
  const d = signals.crawlDelaySeconds;
  const dAt = signals.crawlDelayAt;
  if (typeof d === 'number' && Number.isFinite(d) && d > 0 && (dAt == null || recent(dAt, now, CRAWL_DELAY_MEMORY_MS))) limit = Math.min(limit, Math.floor(DAY / 1000 / d));
  const at = signals.rateLimitedAt;
  if (typeof at === 'number' && recent(at, now, RATE_LIMIT_MEMORY_MS)) limit = Math.floor(limit / 2);
  return Math.max(Math.min(base, MIN_DAILY_REQUEST_BUDGET), limit);
}

/**
 * Most liveness probes the budget can count at once ({@link BUDGET_WINDOW_MS}) at this
 * interval, the jitter shortening it by up to {@link LIVENESS_JITTER}: probes at least
 * that far apart, the current one included.
 */
export function maxLivenessPerDay(intervalMs: number, jitter: number = LIVENESS_JITTER): number {
  return Math.floor(BUDGET_WINDOW_MS / (intervalMs * (1 - jitter))) + 1;
}

/** How a day's budget is spent on one server. */
export interface BudgetPlan {
  /** The budget (requests in any 24 hours). */
  limit: number;
  /** Interval between liveness probes: the cadence's, or longer when the budget cannot pay for it. */
  livenessIntervalMs: number;
  /** Most requests of one probe per kind, `rooms` included: the caps the network layer applies. */
  caps: Record<FactKind, number>;
}

/**
 * Split a budget: liveness at its cadence (stretched when the budget cannot pay
 * {@link maxLivenessPerDay} probes at their cap), one `setup` and one `register`
 * at their caps, and the rest to the room walk.
 * @example budgetPlan(720).caps.rooms // 428: 720 - 27 × 10 - 20 - 2
 */
export function budgetPlan(limit: number, jitter: number = LIVENESS_JITTER): BudgetPlan {
  if (!Number.isFinite(limit) || limit < 0) throw new TypeError(`budget must be a finite number >= 0, got ${JSON.stringify(limit)}`);
  const fixed = KIND_CAPS.setup + KIND_CAPS.register;
  let interval = CADENCE.liveness.intervalMs;
  const affordable = Math.floor((limit - fixed) / KIND_CAPS.liveness);
  if (maxLivenessPerDay(interval, jitter) > affordable) {
    // The shortest interval whose worst-case day fits; a week at most (the schedule's ceiling).
    interval = Math.min(7 * DAY, Math.floor(BUDGET_WINDOW_MS / (Math.max(1, affordable) * (1 - jitter))) + 1);
  }
  const rooms = Math.max(0, limit - fixed - maxLivenessPerDay(interval, jitter) * KIND_CAPS.liveness);
  return { limit, livenessIntervalMs: interval, caps: { ...KIND_CAPS, rooms } };
}

/**
 * Registration modes whose answer is settled: asking again is pointless until
 * the server changes. Every other answer (open, token, SSO, unknown, …) might
 * change or be open, so it is asked again weekly.
 */
export const SETTLED_REGISTRATION: readonly RegistrationMode[] = ['closed'];
