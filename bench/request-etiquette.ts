/**
 * The request side of bench/crawl-week.ts (`--requests`, issue 12 done-when 1):
 * a synthetic probe that measures only the kinds of fact the plan says are
 * due, spending each kind's requests (tests/harness/request-model.ts: small to
 * huge servers, steady to dying) through the real request budget of the
 * network layer on the simulated clock, and the report read back from the
 * store afterwards: requests per server per day (the distribution, max
 * included), the largest 24-hour window of any server against the budget, and
 * how old each kind of fact shown for a server that stays up ever got, against
 * what /about/data promises (site/lib/crawl-etiquette.ts reads the same constants).
 */
import type { Db } from '../db/client.ts';
import type { ProbeFn } from '../jobs/crawl/crawl.ts';
import { RequestBudget } from '../crawler/net/request-budget.ts';
import { BUDGET_BUCKET_MS, CADENCE, DEFAULT_DAILY_REQUEST_BUDGET, LIVENESS_JITTER } from '../crawler/policy/cadence.ts';
import { FACT_KINDS, type FactKind } from '../crawler/fact-kinds.ts';
import type { Observation, ProbeResult } from '../crawler/types.ts';
import { spendProbe, versionOf, type ModelServer } from '../tests/harness/request-model.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The model probe and what it counted. */
export interface ModelProbe {
  probe: ProbeFn;
  budget: RequestBudget;
  /** Requests the network layer refused, per kind. */
  refused: Record<FactKind, number>;
}

/** A probe of the synthetic servers, through the real budget on the simulated clock `now()`. */
export function modelProbe(servers: readonly ModelServer[], t0: number, now: () => number): ModelProbe {
  const byKey = new Map(servers.map((s) => [`${s.protocol}:${s.domain}`, s]));
  const budget = new RequestBudget({ dailyLimit: DEFAULT_DAILY_REQUEST_BUDGET, now });
  const refused = Object.fromEntries(FACT_KINDS.map((k) => [k, 0])) as Record<FactKind, number>;
  const probe: ProbeFn = async (domain, protocol, { passId, now: at, plan }) => {
    const key = `${protocol}:${domain}`;
    const s = byKey.get(key);
    if (!s) throw new Error(`no model server ${key}`);
    if (plan) budget.seed(key, plan.requestLog);
    const p = spendProbe(s, plan?.due ?? FACT_KINDS, budget.scope(key), at.getTime(), t0);
    for (const [k, n] of Object.entries(p.refused)) refused[k as FactKind] += n ?? 0;
    const ok = p.status === 'ok';
    const version = ok ? versionOf(s, at.getTime(), t0) : '';
    const observations: Observation[] = p.measured.map((k) => ({
      passId, domain, protocol, step: `bench.${k}`, observedAt: at, outcome: ok || k === 'liveness' ? (ok ? 'ok' : 'net.connect-refused') : 'ok',
      durationMs: 1, facts: {}, raw: '', error: '',
    }));
    const result: ProbeResult = {
      snapshot: {
        passId, domain, protocol, observedAt: at, status: p.status, software: ok ? (protocol === 'matrix' ? 'synapse' : 'prosody') : 'unknown',
        versionRaw: version, version, registration: ok && p.measured.includes('register') ? s.registration : 'unknown',
        features: ok && p.measured.includes('setup') ? ['f.a', 'f.b'] : [], specVersions: [], tls: null, dnssec: null, dane: null,
        ipv4: ok && p.measured.includes('setup') ? true : null, ipv6: null,
        publicRooms: ok && p.measured.includes('rooms') ? s.rooms : 0, publicMembers: 0, users: null,
        endpoint: `${domain}:443`, error: ok ? '' : 'refused', ...(ok ? {} : { failure: 'net.connect-refused' as const }), report: [],
        measured: p.measured, requests: p.sent,
      },
      observations, rooms: [], discoveries: [],
    };
    return result;
  };
  return { probe, budget, refused };
}

/** Percentiles of a list of numbers (nearest rank). */
function percentiles(values: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const v = values.toSorted((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] ?? 0;
  return { n: v.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: v.at(-1) ?? 0 };
}

/** What the store says Chatlas asked of each server, and how fresh the shown facts stayed. */
export interface RequestReport {
  budget: number;
  /** Requests per (server, calendar day) of the store's snapshots. */
  perServerDay: ReturnType<typeof percentiles>;
  /** Per server, the most requests in any 24 hours (windows starting at each of its probes). */
  rolling24hMax: ReturnType<typeof percentiles> & { overBudget: number };
  /** Of the servers that stayed up all week, the oldest each kind of fact ever got (per server and kind), against the promise. */
  staleness: Record<Exclude<FactKind, 'register'>, { maxAgeMinutes: number; boundMinutes: number; violations: number; checked: number }>;
  /** Registration requests per server that stayed up: at most one a week (two in the week with the first probe's). */
  registerRequestsMax: number;
}

/** Read the run back from the store. */
export async function requestReport(db: Db, servers: readonly ModelServer[], t0: number, hours: number, stepMs: number): Promise<RequestReport> {
  const q = async <T>(query: string, params: Record<string, unknown> = {}) => (await db.client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } })).json<T>();
  const days = await q<{ n: number }>(`SELECT sum(requests) AS n FROM server_snapshots GROUP BY protocol, domain, toDate(observed_at)`);
  const probes = await q<{ k: string; at: number[]; n: number[] }>(`SELECT concat(protocol, ':', domain) AS k, groupArray(toUnixTimestamp64Milli(observed_at)) AS at, groupArray(requests) AS n
    FROM (SELECT protocol, domain, observed_at, requests FROM server_snapshots ORDER BY protocol, domain, observed_at) GROUP BY protocol, domain`);
  const maxima: number[] = [];
  for (const p of probes) {
    let max = 0;
    let sum = 0;
    let j = 0;
    // Two pointers over the sorted probe times: the window [at[i], at[i] + 24 h).
    for (let i = 0; i < p.at.length; i++) {
      while (j < p.at.length && p.at[j]! < p.at[i]! + DAY) sum += p.n[j++]!;
      max = Math.max(max, sum);
      sum -= p.n[i]!;
    }
    maxima.push(max);
  }
  const steady = new Set(servers.filter((s) => s.behaviour === 'steady').map((s) => `${s.protocol}:${s.domain}`));
  const probeGap = CADENCE.liveness.intervalMs * (1 + LIVENESS_JITTER) + stepMs;
  const bounds: Record<Exclude<FactKind, 'register'>, number> = {
    liveness: probeGap,
    setup: CADENCE.setup.intervalMs + BUDGET_BUCKET_MS + probeGap,
    rooms: CADENCE.rooms.intervalMs + BUDGET_BUCKET_MS + probeGap,
  };
  const staleness = Object.fromEntries((['liveness', 'setup', 'rooms'] as const).map((k) => [k, { maxAgeMinutes: 0, boundMinutes: Math.round(bounds[k] / 60_000), violations: 0, checked: 0 }])) as RequestReport['staleness'];
  // The oldest a shown fact ever got on a server that stayed up: the longest gap between two measurements
  // of its kind (the fact shown just before the second was that old), or from the last one to the end.
  const end = t0 + hours * HOUR;
  const measuredTimes = await q<{ k: string; kind: string; at: number[] }>(`SELECT concat(protocol, ':', domain) AS k, kind, arraySort(groupArray(toUnixTimestamp64Milli(observed_at))) AS at
    FROM server_snapshots ARRAY JOIN CAST(measured, 'Array(String)') AS kind WHERE status = 'ok' GROUP BY protocol, domain, kind`);
  for (const r of measuredTimes) {
    if (!steady.has(r.k) || r.kind === 'register') continue;
    const s = staleness[r.kind as Exclude<FactKind, 'register'>];
    if (!s) continue;
    const at = r.at.map(Number);
    let oldest = end - at.at(-1)!;
    for (let i = 1; i < at.length; i++) oldest = Math.max(oldest, at[i]! - at[i - 1]!);
    s.checked++;
    s.maxAgeMinutes = Math.max(s.maxAgeMinutes, Math.round(oldest / 60_000));
    if (oldest > bounds[r.kind as Exclude<FactKind, 'register'>]) s.violations++;
  }
  const reg = await q<{ n: number }>(`SELECT countIf(has(measured, 'register')) AS n FROM server_snapshots WHERE status = 'ok' GROUP BY protocol, domain`);
  return {
    budget: DEFAULT_DAILY_REQUEST_BUDGET,
    perServerDay: percentiles(days.map((d) => Number(d.n))),
    rolling24hMax: { ...percentiles(maxima), overBudget: maxima.filter((m) => m > DEFAULT_DAILY_REQUEST_BUDGET).length },
    staleness,
    registerRequestsMax: Math.max(0, ...reg.map((r) => Number(r.n))),
  };
}
