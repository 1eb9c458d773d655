/**
 * HTTP plumbing of the Matrix probe: one origin (base URL + Host header),
 * robots.txt honoured per origin (RFC 9309, via crawler/policy/robots.ts),
 * every request recorded as an Observation through the shared
 * ObservationRecorder. Parsing stays in crawler/protocol.
 */
import { ProbeError } from '../errors.ts';
import type { NetContext } from '../net/context.ts';
import { fetchBounded, type FetchResult, type HttpScope } from '../net/http.ts';
import { isAllowed, type RobotsPolicy } from '../policy/robots.ts';
import { cachedRobots, fetchRobots, robotsKey } from './robots-cache.ts';
import { retryAfterFacts } from '../policy/politeness.ts';
import { ObservationRecorder } from './observation-recorder.ts';
import type { BudgetScope } from '../net/request-budget.ts';
import { kindOfStep } from '../fact-kinds.ts';
import type { Observation } from '../types.ts';

/** Where requests go: `https://host:port` connected to, with the `Host` header (and so SNI) to send. */
export interface Origin {
  /** e.g. `https://127.20.0.5:8448` or `https://matrix.example.org`. */
  base: string;
  /** `Host` header; '' to let the URL decide. */
  host: string;
}

export { isUnreachable } from './robots-cache.ts';

/** Options of {@link MatrixRecorder.request}. */
export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: string;
  maxBytes?: number;
  skipRobots?: boolean;
  maxRedirects?: number;
  facts?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** What {@link MatrixRecorder.requestObserved} returns: the response (any status) or the ProbeError, and its observation. */
export interface ObservedRequest {
  result: FetchResult | ProbeError;
  observation: Observation;
}

/** The recorder of one Matrix probe: the shared step recorder plus requests and robots. */
export class MatrixRecorder extends ObservationRecorder {
  readonly ctx: NetContext;
  readonly signal: AbortSignal;
  /** This probe's connections, closed by {@link MatrixRecorder.close} when it ends. */
  readonly http: HttpScope;
  /** Origins whose robots.txt could not be fetched in this probe: not asked again. */
  readonly #robotsFailures = new Map<string, ProbeError>();
  /**
   * This probe's share of the server's request budget (crawler/net/request-budget.ts): every
   * request is taken from the ticket of its step's kind (crawler/fact-kinds.ts `kindOfStep`).
   */
  readonly budget: BudgetScope;

  constructor(ctx: NetContext, domain: string, passId: string, signal: AbortSignal, now: () => Date, budget: BudgetScope) {
    super('matrix', domain, passId, now);
    this.ctx = ctx;
    this.signal = signal;
    this.budget = budget;
    // The federation origin's TLS facts come from its connection (matrix.ts federationOrigin).
    this.http = ctx.http.scope({ keepTlsFacts: true });
  }

  /** End of the probe: close its connections. */
  close(): Promise<void> {
    return this.http.close();
  }

  /** robots.txt fetches under way in this probe, so parallel steps share one. */
  readonly #robotsInFlight = new Map<string, Promise<RobotsPolicy | ProbeError>>();

  /**
   * The robots policy of an origin, from the context's shared cache (crawler/probe/robots-cache.ts:
   * fetched once per context and day, or by the opt-out gate just before). Network failures are returned, not judged.
   */
  robots(origin: Origin, step = 'matrix.federation-version'): Promise<RobotsPolicy | ProbeError> {
    const key = robotsKey(origin);
    let pending = this.#robotsInFlight.get(key);
    if (!pending) {
      pending = this.#fetchRobots(origin, key, step);
      this.#robotsInFlight.set(key, pending);
    }
    return pending;
  }

  async #fetchRobots(origin: Origin, key: string, step: string): Promise<RobotsPolicy | ProbeError> {
    const hit = cachedRobots(this.ctx, origin) ?? this.#robotsFailures.get(key);
    if (hit) return hit;
    // Counted as a request of the step that needed it.
    const fetched = await fetchRobots(this.ctx, origin, { signal: this.signal, dispatcher: this.http.dispatcher, budget: this.budget.ticket(kindOfStep(step)) });
    if (fetched.policy) return fetched.policy;
    this.#robotsFailures.set(key, fetched.error!);
    return fetched.error!;
  }

  /**
   * One request as one observation. Returns the response (any status) or
   * the ProbeError; robots.txt is checked first unless `skipRobots`. A status
   * other than 200 is recorded as `http.status` (the status in the facts);
   * callers that read more into it amend the outcome (e.g. to `absent`).
   */
  async request(step: string, origin: Origin, path: string, opts: RequestOptions = {}): Promise<FetchResult | ProbeError> {
    return (await this.requestObserved(step, origin, path, opts)).result;
  }

  /**
   * {@link MatrixRecorder.request}, also returning the one observation it recorded: the handle
   * to amend (`amendObservation`) when several requests of one step are in flight, where
   * amending by step name could reach another request's observation.
   */
  async requestObserved(step: string, origin: Origin, path: string, opts: RequestOptions = {}): Promise<ObservedRequest> {
    const started = performance.now();
    const url = `${origin.base}${path}`;
    const baseFacts: Record<string, unknown> = { url, host: origin.host, ...opts.facts };
    if (!opts.skipRobots) {
      const policy = await this.robots(origin, step);
      if (policy instanceof ProbeError) {
        return { result: policy, observation: this.record(step, policy.code, performance.now() - started, baseFacts, '', policy.message) };
      }
      // robots.txt Crawl-delay, kept so the schedule spaces probes of this server (jobs/crawl/probe-hints.ts),
      // and lowering its request budget (crawler/policy/cadence.ts: at most 86,400 / d requests a day).
      if (policy.crawlDelaySeconds !== null && policy.crawlDelaySeconds > 0) {
        baseFacts['crawlDelaySeconds'] = policy.crawlDelaySeconds;
        this.ctx.budget.noteCrawlDelay(this.budget.server, policy.crawlDelaySeconds);
      }
      if (!isAllowed(policy, path)) {
        const e = new ProbeError('policy.robots-disallowed', `robots.txt of ${origin.base} disallows ${path} (${policy.reason || 'rules'})`);
        return { result: e, observation: this.record(step, e.code, performance.now() - started, baseFacts, '', e.message) };
      }
    }
    try {
      const res = await fetchBounded(this.ctx, url, {
        method: opts.method ?? 'GET',
        // Always explicit: undici derives SNI from the Host header and reconnects when it changes
        // between requests on one origin, so an implied Host would cost a new TLS connection.
        headers: { ...opts.headers, host: origin.host || new URL(origin.base).host, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: opts.body,
        accept: 'application/json',
        maxBytes: opts.maxBytes,
        maxRedirects: opts.maxRedirects ?? 0,
        signal: this.signal,
        dispatcher: this.http.dispatcher,
        budget: this.budget.ticket(kindOfStep(step)),
      });
      const observation = this.record(step, res.status === 200 ? 'ok' : 'http.status', res.durationMs, {
        ...baseFacts, status: res.status, bytes: res.bodyBytes, redirects: res.redirects.length, remoteAddress: res.remoteAddress,
        ...retryAfterFacts(res.status, res.headers),
      }, res.bodyText, res.status === 200 ? '' : `HTTP ${res.status}`);
      return { result: res, observation };
    } catch (error) {
      const e = ProbeError.from(error);
      return { result: e, observation: this.record(step, e.code, performance.now() - started, baseFacts, '', e.message) };
    }
  }
}
