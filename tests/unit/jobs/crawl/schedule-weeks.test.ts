/**
 * The schedule over simulated weeks (issue 12 items 1, 2): 240 synthetic
 * servers (tests/harness/request-model.ts), four weeks in 10-minute steps,
 * each probe decided by the pure schedule from the history the store would
 * return (last probes, when each kind was last measured, the last registration
 * answer, the last day's requests) and spending its requests through the real
 * request budget of the network layer. Asserted per server: no 24-hour window
 * holds more requests than the budget, liveness is never refused, every kind
 * is re-measured on its cadence and never more often, the registration request
 * is weekly at most and only while sign-up might be open or the version changed,
 * and dead servers back off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleServer, type ScheduleHints, type ServerHistory } from '../../../../jobs/crawl/schedule.ts';
import { RequestBudget, type RequestLogEntry } from '../../../../crawler/net/request-budget.ts';
import { BUDGET_BUCKET_MS, CADENCE, DEFAULT_DAILY_REQUEST_BUDGET, effectiveBudget, LIVENESS_JITTER, SETTLED_REGISTRATION } from '../../../../crawler/policy/cadence.ts';
import { FACT_KINDS, type FactKind } from '../../../../crawler/fact-kinds.ts';
import type { RegistrationMode } from '../../../../crawler/types.ts';
import { modelServers, spendProbe, versionOf, type ModelServer } from '../../../harness/request-model.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 2);
const WEEKS = 4;
const STEP = 10 * MIN;

/** What the store would summarise for one server, kept up to date by the simulation. */
interface Sim {
  server: ModelServer;
  history: ServerHistory;
  /** Version and hash of the last register measurement and of the last ok probe. */
  registerVersion: string;
  okVersion: string;
  log: RequestLogEntry[];
  dueAt: number;
  due: FactKind[];
  /** Every probe: time, requests, kinds measured, status. */
  probes: { at: number; n: number; measured: FactKind[]; ok: boolean }[];
  refusedLiveness: number;
}

function run(servers: ModelServer[], hints: (s: ModelServer) => ScheduleHints = () => ({})): Sim[] {
  let now = T0;
  const budget = new RequestBudget({ dailyLimit: DEFAULT_DAILY_REQUEST_BUDGET, now: () => now });
  const sims: Sim[] = servers.map((server) => ({
    server, registerVersion: '', okVersion: '', log: [], dueAt: T0, due: [...FACT_KINDS], probes: [], refusedLiveness: 0,
    history: { lastAt: null, lastStatus: null, lastOkAt: null, failuresSinceOk: 0, failingSince: null, endpoint: '', previousOkEndpoint: '', lastFailure: null, measuredAt: {}, register: { mode: null, changed: false }, requestLog: [] },
  }));
  for (; now < T0 + WEEKS * 7 * DAY; now += STEP) {
    for (const s of sims) {
      if (s.dueAt > now) continue;
      const key = `${s.server.protocol}:${s.server.domain}`;
      // The plan runs now: the kinds due now (jobs/crawl/plan-pass.ts passes its time).
      s.due = scheduleServer(s.server, s.history, hints(s.server), {}, new Date(now)).due;
      // The probe notes the Crawl-delay of the robots.txt it goes by at every request (crawler/probe/matrix-http.ts);
      // a Crawl-delay counts for a week after it was last read (crawler/policy/cadence.ts CRAWL_DELAY_MEMORY_MS).
      const c = hints(s.server).crawlDelayMs;
      if (c) budget.noteCrawlDelay(key, c / 1000);
      const p = spendProbe(s.server, s.due, budget.scope(key), now, T0);
      if (p.refused.liveness) s.refusedLiveness++;
      s.probes.push({ at: now, n: p.sent, measured: p.measured, ok: p.status === 'ok' });
      if (p.sent > 0) s.log.push({ at: now, n: p.sent });
      s.log = s.log.filter((e) => e.at > now - 25 * HOUR);
      // Fold the probe into the history, as db/queries/frontier/list-server-history.ts would summarise it.
      const h = s.history;
      const ok = p.status === 'ok';
      const measuredAt = { ...h.measuredAt };
      for (const k of p.measured) measuredAt[k] = new Date(now);
      const version = versionOf(s.server, now, T0);
      let mode: RegistrationMode | null = h.register?.mode ?? null;
      if (ok) s.okVersion = version;
      if (ok && p.measured.includes('register')) {
        mode = s.server.registration;
        s.registerVersion = version;
      }
      s.history = {
        lastAt: new Date(now), lastStatus: p.status, lastOkAt: ok ? new Date(now) : h.lastOkAt,
        failuresSinceOk: ok ? 0 : h.failuresSinceOk + 1, failingSince: ok ? null : h.failingSince ?? new Date(now),
        endpoint: 'e', previousOkEndpoint: 'e', lastFailure: ok ? null : 'net.connect-refused',
        measuredAt, register: { mode, changed: mode !== null && s.registerVersion !== s.okVersion }, requestLog: [...s.log],
      };
      const d = scheduleServer(s.server, s.history, hints(s.server));
      assert.ok(d.dueAt, `${key}: never due again (${d.reason})`);
      s.dueAt = d.dueAt.getTime();
      s.due = d.due;
    }
  }
  return sims;
}

/** The largest number of requests in any 24-hour window starting at a probe. */
function maxDay(s: Sim): number {
  let max = 0;
  for (const p of s.probes) max = Math.max(max, s.probes.filter((q) => q.at >= p.at && q.at < p.at + DAY).reduce((n, q) => n + q.n, 0));
  return max;
}

/** Times kind `k` was measured on an ok probe. */
const measuredTimes = (s: Sim, k: FactKind): number[] => s.probes.filter((p) => p.ok && p.measured.includes(k)).map((p) => p.at);
const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

const servers = modelServers(240);
const sims = run(servers);
const steady = sims.filter((s) => s.server.behaviour === 'steady');

test('no server gets more requests in any 24 hours than its budget, and liveness is never refused', () => {
  for (const s of sims) {
    assert.ok(maxDay(s) <= DEFAULT_DAILY_REQUEST_BUDGET, `${s.server.domain}: ${maxDay(s)}`);
    assert.equal(s.refusedLiveness, 0, `${s.server.domain}: liveness refused`);
  }
  // The huge servers' walks are what the budget cuts: they use most of their day, still within it.
  const huge = sims.filter((s) => s.server.cost.rooms >= 5000);
  assert.ok(huge.length > 0);
  for (const s of huge) assert.ok(maxDay(s) > DEFAULT_DAILY_REQUEST_BUDGET / 2, `${s.server.domain}: ${maxDay(s)}`);
});

test('on a server that stays up, each kind is measured on its cadence and never more often', () => {
  // The first probe after the interval and one budget bucket: plus the longest liveness interval and one scheduler step.
  const slack = BUDGET_BUCKET_MS + HOUR * (1 + LIVENESS_JITTER) + STEP;
  for (const s of steady) {
    const live = measuredTimes(s, 'liveness');
    for (const g of gaps(live)) assert.ok(g <= CADENCE.liveness.intervalMs * (1 + LIVENESS_JITTER) + STEP && g >= CADENCE.liveness.intervalMs * (1 - LIVENESS_JITTER), `${s.server.domain}: liveness gap ${g / MIN} min`);
    for (const k of ['setup', 'rooms'] as const) {
      const times = measuredTimes(s, k);
      assert.ok(times.length >= WEEKS * 7 - 2, `${s.server.domain}: ${k} measured ${times.length} times`);
      for (const g of gaps(times)) assert.ok(g >= CADENCE[k].intervalMs && g <= CADENCE[k].intervalMs + slack, `${s.server.domain}: ${k} gap ${(g / HOUR).toFixed(2)} h`);
      // Never staler than the cadence at the end of the run.
      assert.ok(T0 + WEEKS * 7 * DAY - times.at(-1)! <= CADENCE[k].intervalMs + slack, `${s.server.domain}: ${k} stale at the end`);
    }
  }
});

test('the registration request: once for a settled answer, weekly while sign-up might be open', () => {
  for (const s of steady) {
    const times = measuredTimes(s, 'register');
    if (SETTLED_REGISTRATION.includes(s.server.registration)) {
      assert.deepEqual(times, [T0], `${s.server.domain} (${s.server.registration}) asked again`);
    } else {
      assert.equal(times.length, WEEKS, `${s.server.domain} (${s.server.registration}): ${times.length} requests`);
      // At most weekly; at the latest at setup's next day after the week (it rides with setup).
      const latest = CADENCE.register.intervalMs + CADENCE.setup.intervalMs + 2 * (BUDGET_BUCKET_MS + HOUR * (1 + LIVENESS_JITTER) + STEP);
      for (const g of gaps(times)) assert.ok(g >= CADENCE.register.intervalMs && g <= latest, `${s.server.domain}: ${(g / DAY).toFixed(2)} days`);
    }
  }
  // A settled answer is asked again when the version changes, still at most weekly.
  const upgraded = sims.filter((s) => s.server.behaviour === 'upgrading' && SETTLED_REGISTRATION.includes(s.server.registration));
  assert.ok(upgraded.length > 0);
  for (const s of upgraded) {
    const times = measuredTimes(s, 'register');
    assert.equal(times.length, 2, `${s.server.domain}: ${times.map((t) => (t - T0) / DAY)}`);
    assert.ok(times[1]! - times[0]! >= CADENCE.register.intervalMs);
  }
});

test('dead servers back off: a day of probes in the first week of death, a handful in the last', () => {
  const dying = sims.filter((s) => s.server.behaviour === 'dying');
  assert.ok(dying.length > 0);
  for (const s of dying) {
    const lastWeek = s.probes.filter((p) => p.at >= T0 + (WEEKS - 1) * 7 * DAY).length;
    assert.ok(lastWeek <= 3, `${s.server.domain}: ${lastWeek} probes in the last week`);
    assert.ok(s.probes.filter((p) => !p.ok).every((p) => p.measured.join() === 'liveness'), 'a failed probe measures nothing else');
  }
});

test('a server whose Crawl-delay lowers its budget gets that budget, liveness spaced to fit', () => {
  const few = modelServers(30);
  const delayed = (s: ModelServer): ScheduleHints => (s.domain.startsWith('s1') ? { crawlDelayMs: 600_000 } : {});
  const limit = effectiveBudget(DEFAULT_DAILY_REQUEST_BUDGET, { crawlDelaySeconds: 600 }, T0);
  const out = run(few, delayed);
  const slowed = out.filter((s) => s.server.domain.startsWith('s1') && s.server.behaviour === 'steady');
  assert.ok(slowed.length > 0);
  for (const s of slowed) {
    assert.ok(maxDay(s) <= limit, `${s.server.domain}: ${maxDay(s)} > ${limit}`);
    assert.equal(s.refusedLiveness, 0);
    assert.ok(gaps(measuredTimes(s, 'liveness')).every((g) => g > 2 * HOUR), 'liveness spaced');
  }
});

