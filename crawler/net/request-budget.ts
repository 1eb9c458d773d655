/**
 * The request budget: how many requests Chatlas sent each server in the last
 * 24 hours, and the refusal of any request beyond its budget
 * (`policy.budget-exhausted`). Counted per server (`protocol:domain`, the
 * server a probe is about, whichever host name or address the request goes to),
 * over a rolling 24 hours in 5-minute buckets (crawler/policy/cadence.ts
 * BUDGET_BUCKET_MS): a request is remembered until 24 hours after the end of
 * its bucket, so the count is never below the true count of any 24-hour window. Requests are HTTP requests and
 * redirect hops, TCP and stream connections, a query sent on a probe's own
 * stream (`stanza`: the registration form), and the observer's queries about
 * the server (its own server relays them there).
 *
 * The budget, its lowering (Crawl-delay, 429/503 with Retry-After) and the
 * split between kinds of fact are policy (crawler/policy/cadence.ts); this
 * file counts and refuses. A probe takes a {@link BudgetScope} for its server
 * (crawler/index.ts `probeDomain`) and hands a {@link BudgetTicket} of the
 * step's kind to `fetchBounded`, `ctx.connect` and the observer's `iq`, which
 * take one request from it before each send.
 *
 * A process starts with an empty memory: the crawl plan reads the requests
 * the store recorded per snapshot (`ServerSnapshot.requests`) and
 * {@link RequestBudget.seed}s them, so a restart or a one-pass `chatlas crawl`
 * cannot reset the count; and what the server told us about our pace
 * (`ServerSnapshot.rateLimited`, `crawlDelaySeconds`), {@link RequestBudget.seedPace}d
 * so its lowered budget survives a restart too.
 */
import { ProbeError } from '../errors.ts';
import { FACT_KINDS, type FactKind } from '../fact-kinds.ts';
import { BUDGET_BUCKET_MS, BUDGET_WINDOW_MS, budgetPlan, effectiveBudget, mergePaceSignals, type PaceSignals } from '../policy/cadence.ts';

/**
 * When a request sent at `at` stops being counted: 24 hours after the end of
 * its bucket. The crawl schedule uses the same rule to know when a server's
 * day has room again.
 */
export function forgottenAt(at: number): number {
  return Math.floor(at / BUDGET_BUCKET_MS) * BUDGET_BUCKET_MS + BUDGET_WINDOW_MS;
}

/** What a counted request was. */
export const REQUEST_CHANNELS = ['http', 'connect', 'observer', 'stanza'] as const;
export type RequestChannel = (typeof REQUEST_CHANNELS)[number];

/** Requests sent to one server around one time (a stored snapshot's count at its time), epoch ms. */
export interface RequestLogEntry {
  at: number;
  n: number;
}

/** One request to take from a server's budget, for a step of one kind. */
export interface BudgetTicket {
  /** The server whose budget it is (`protocol:domain`). */
  readonly server: string;
  /** @throws {ProbeError} `policy.budget-exhausted` when the server's budget or the kind's cap is spent */
  take(channel: RequestChannel): void;
}

/** Options of {@link RequestBudget}. */
export interface RequestBudgetOptions {
  /** Requests per server in any 24 hours before any lowering. @default crawler/policy/cadence.ts DEFAULT_DAILY_REQUEST_BUDGET */
  dailyLimit: number;
  /** Clock. @default Date.now */
  now?: () => number;
  /** Servers remembered; the least recently counted is forgotten first. @default 200000 */
  maxServers?: number;
  /** Called for every request counted (metrics). */
  onRequest?: (server: string, channel: RequestChannel) => void;
  /** Called for every request refused (metrics). */
  onRefused?: (server: string) => void;
}

interface ServerCount {
  /** Bucket start (epoch ms) → requests counted in that bucket. */
  buckets: Map<number, number>;
  signals: PaceSignals;
}

/** A server's count, for metrics. */
export interface ServerUsage {
  server: string;
  used: number;
  limit: number;
}

export class RequestBudget {
  readonly dailyLimit: number;
  readonly #now: () => number;
  readonly #max: number;
  readonly #onRequest: RequestBudgetOptions['onRequest'];
  readonly #onRefused: RequestBudgetOptions['onRefused'];
  /** Insertion order is recency order: a counted server is moved to the end. */
  readonly #servers = new Map<string, ServerCount>();
  /** When this budget started counting: what the store logged since then, this process counted itself. */
  readonly #since: number;

  constructor(options: RequestBudgetOptions) {
    if (!Number.isInteger(options.dailyLimit) || options.dailyLimit < 1) {
      throw new TypeError(`dailyLimit must be an integer >= 1, got ${JSON.stringify(options.dailyLimit)}`);
    }
    this.dailyLimit = options.dailyLimit;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxServers ?? 200_000;
    this.#onRequest = options.onRequest;
    this.#onRefused = options.onRefused;
    this.#since = this.#now();
  }

  /** Requests counted for `server` in the rolling 24 hours (whole buckets: possibly up to one bucket more). */
  used(server: string): number {
    const s = this.#servers.get(server);
    if (!s) return 0;
    this.#prune(s);
    let n = 0;
    for (const v of s.buckets.values()) n += v;
    return n;
  }

  /** The server's budget now, after what it told us (crawler/policy/cadence.ts `effectiveBudget`). */
  limit(server: string): number {
    const s = this.#servers.get(server);
    return s ? effectiveBudget(this.dailyLimit, s.signals, this.#now()) : this.dailyLimit;
  }

  /** Requests left for `server` in the rolling 24 hours. */
  remaining(server: string): number {
    return Math.max(0, this.limit(server) - this.used(server));
  }

  /**
   * Merge what the store knows about requests sent before this budget started
   * counting (an earlier run, a restart); later entries are this process's own,
   * already counted. Per bucket the larger of the stored and the known number,
   * so seeding the same log twice counts nothing twice.
   */
  seed(server: string, log: readonly RequestLogEntry[]): void {
    const now = this.#now();
    const stored = new Map<number, number>();
    for (const e of log) {
      if (!Number.isFinite(e.at) || !Number.isFinite(e.n) || e.n <= 0) continue;
      const b = this.#bucket(e.at);
      if (e.at < this.#since && e.at <= now && forgottenAt(e.at) > now) stored.set(b, (stored.get(b) ?? 0) + Math.floor(e.n));
    }
    if (stored.size === 0) return;
    const s = this.#entry(server);
    for (const [h, n] of stored) s.buckets.set(h, Math.max(s.buckets.get(h) ?? 0, n));
  }

  /** A 429 or 503 with Retry-After: the budget is halved for a while (crawler/policy/cadence.ts). */
  noteRateLimited(server: string, at: number = this.#now()): void {
    this.#entry(server).signals.rateLimitedAt = at;
  }

  /** robots.txt `Crawl-delay` (seconds; null: none), read at `at`: at most 86,400 / d requests a day, for a week after (crawler/policy/cadence.ts). */
  noteCrawlDelay(server: string, seconds: number | null, at: number = this.#now()): void {
    const s = this.#entry(server);
    s.signals.crawlDelaySeconds = seconds;
    s.signals.crawlDelayAt = seconds === null ? null : at;
  }

  /**
   * Merge what the store recorded about the server's pace (the last 429/503 with Retry-After, the
   * last Crawl-delay read: `ServerSnapshot.rateLimited`, `crawlDelaySeconds`), so a restart or another
   * process of a sharded crawl keeps the lowered budget for as long as this process would have
   * (crawler/policy/cadence.ts `mergePaceSignals`: the later of each wins; seeding twice changes nothing).
   */
  seedPace(server: string, stored: PaceSignals): void {
    if (stored.rateLimitedAt == null && !(typeof stored.crawlDelaySeconds === 'number' && stored.crawlDelaySeconds > 0)) return;
    const s = this.#entry(server);
    s.signals = mergePaceSignals(s.signals, stored);
  }

  /** What the server told us about our pace, as this budget knows it (a copy). */
  pace(server: string): PaceSignals {
    return { ...this.#servers.get(server)?.signals };
  }

  /**
   * Count one request to `server`, or refuse it.
   * @throws {ProbeError} `policy.budget-exhausted`
   */
  take(server: string, channel: RequestChannel): void {
    const limit = this.limit(server);
    const used = this.used(server);
    if (used + 1 > limit) {
      this.#onRefused?.(server);
      throw new ProbeError('policy.budget-exhausted', `${server.slice(0, 200)}: ${used} requests in the last 24 h, the budget is ${limit}`);
    }
    const s = this.#entry(server);
    const b = this.#bucket(this.#now());
    s.buckets.set(b, (s.buckets.get(b) ?? 0) + 1);
    this.#onRequest?.(server, channel);
  }

  /**
   * The budget of one probe of `server`: its requests are counted here and per
   * kind, each kind capped as the budget plan says (`rooms` gets what the day's
   * other kinds leave).
   */
  scope(server: string): BudgetScope {
    return new BudgetScope(this, server, budgetPlan(this.limit(server)).caps);
  }

  /** The `n` servers with the most requests in the last 24 hours (metrics). */
  top(n: number): ServerUsage[] {
    const all: ServerUsage[] = [];
    for (const server of [...this.#servers.keys()]) {
      const used = this.used(server);
      if (used > 0) all.push({ server, used, limit: this.limit(server) });
    }
    return all.sort((a, b) => b.used - a.used || a.server.localeCompare(b.server)).slice(0, n);
  }

  /** Servers counted in the last 24 hours. */
  get servers(): number {
    return this.#servers.size;
  }

  #bucket(t: number): number {
    return Math.floor(t / BUDGET_BUCKET_MS) * BUDGET_BUCKET_MS;
  }

  #entry(server: string): ServerCount {
    let s = this.#servers.get(server);
    if (s) {
      this.#servers.delete(server);
    } else {
      s = { buckets: new Map(), signals: {} };
      if (this.#servers.size >= this.#max) this.#evict();
    }
    this.#servers.set(server, s);
    return s;
  }

  /** Drop buckets the window has left. */
  #prune(s: ServerCount): void {
    const now = this.#now();
    for (const b of s.buckets.keys()) if (forgottenAt(b) <= now) s.buckets.delete(b);
  }

  /** Make room: forget servers with nothing in the window first, else the least recently counted. */
  #evict(): void {
    for (const [server, s] of this.#servers) {
      this.#prune(s);
      if (s.buckets.size === 0 && s.signals.rateLimitedAt == null && s.signals.crawlDelaySeconds == null) this.#servers.delete(server);
    }
    if (this.#servers.size >= this.#max) {
      const oldest = this.#servers.keys().next();
      if (!oldest.done) this.#servers.delete(oldest.value);
    }
  }
}

/** One probe's share of a server's budget: what it sent, per kind, against the kinds' caps. */
export class BudgetScope {
  readonly server: string;
  readonly #budget: RequestBudget;
  readonly #caps: Record<FactKind, number>;
  readonly #byKind = Object.fromEntries(FACT_KINDS.map((k) => [k, 0])) as Record<FactKind, number>;
  /** Requests this probe sent (all kinds, all channels). */
  sent = 0;
  /** Of which observer queries (XMPP): counted apart for the record. */
  observerQueries = 0;

  constructor(budget: RequestBudget, server: string, caps: Record<FactKind, number>) {
    this.#budget = budget;
    this.server = server;
    this.#caps = caps;
  }

  /**
   * Count one request of a `kind` step.
   * @throws {ProbeError} `policy.budget-exhausted` past the kind's cap or the server's budget
   */
  take(kind: FactKind, channel: RequestChannel): void {
    if (this.#byKind[kind] >= this.#caps[kind]) {
      throw new ProbeError('policy.budget-exhausted', `${this.server.slice(0, 200)}: the ${kind} steps of one probe may send ${this.#caps[kind]} requests`);
    }
    this.#budget.take(this.server, channel);
    this.#byKind[kind]++;
    this.sent++;
    if (channel === 'observer') this.observerQueries++;
  }

  /** A ticket for the steps of one kind, to hand to the network calls. */
  ticket(kind: FactKind): BudgetTicket {
    return { server: this.server, take: (channel) => this.take(kind, channel) };
  }

  /** Requests of `kind` this probe may still send (its cap and the server's budget). */
  left(kind: FactKind): number {
    return Math.max(0, Math.min(this.#caps[kind] - this.#byKind[kind], this.#budget.remaining(this.server)));
  }

  /** Requests sent per kind. */
  get byKind(): Readonly<Record<FactKind, number>> {
    return this.#byKind;
  }
}
