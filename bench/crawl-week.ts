/**
 * A simulated week of crawling, compressed in time: N domains, passes every
 * `--step-minutes` of simulated time (as the scheduler of `chatlas serve`
 * would wake up), the real plan (frontier + schedule + history query), the
 * real loop (p-queue, batcher, journal) and the real store (embedded chdb).
 * Only the probe is synthetic and instant, so this measures Chatlas, not the
 * network.
 *
 * Reports: sustained probes per second over the run, plan time per pass (it
 * grows with history), RSS over the run (must stay flat), and whether the
 * daily rollups equal a recount from the raw snapshots.
 *
 * With `--requests` (issue 12 done-when 1) the probe measures only the kinds of
 * fact the plan says are due and spends each kind's requests through the real
 * request budget (bench/request-etiquette.ts, tests/harness/request-model.ts):
 * the report adds the requests per server per day (distribution, max), the
 * largest 24-hour window of any server against the budget, and how old each
 * kind of fact got on servers that stayed up, against /about/data's promise.
 *
 * Usage: node --expose-gc bench/crawl-week.ts [--domains 50000] [--hours 168] [--step-minutes 30]
 *        [--concurrency 256] [--batch 2000] [--requests] [--json]
 * (--expose-gc: a collection after each pass, so the heap figures are live data, not garbage.)
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createDb } from '../db/client.ts';
import { loadDbConfig } from '../db/config.ts';
import { migrate } from '../db/migrate.ts';
import { runCrawlPass, type ProbeFn } from '../jobs/crawl/crawl.ts';
import { HistoryCache } from '../jobs/crawl/history-cache.ts';
import type { Observation, ProbeResult, ServerStatus } from '../crawler/types.ts';
import { modelServers } from '../tests/harness/request-model.ts';
import { modelProbe, requestReport } from './request-etiquette.ts';

const { values: args } = parseArgs({
  options: {
    domains: { type: 'string', default: '50000' },
    hours: { type: 'string', default: '168' },
    'step-minutes': { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '256' },
    batch: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
    'no-journal': { type: 'boolean', default: false },
    // Re-read the whole 30-day history window at every plan (chatlas crawl's way) instead of
    // keeping it between passes as chatlas serve's scheduler does (jobs/crawl/history-cache.ts).
    'full-history': { type: 'boolean', default: false },
    // Kinds of fact and the request budget (issue 12): the model probe and the request report.
    requests: { type: 'boolean', default: false },
  },
});
const DOMAINS = Number(args.domains);
const HOURS = Number(args.hours);
const STEP = Number(args['step-minutes']) * 60_000;
const T0 = Date.UTC(2026, 2, 2, 0, 0); // a Monday
const HOUR = 3_600_000;

/** 32 stable bits per (name, salt). */
const h32 = (s: string): number => createHash('sha1').update(s).digest().readUInt32BE(0);

const SOFTWARE = [['synapse', ['1.160.1', '1.162.0', '1.163.2']], ['conduwuit', ['0.5.0']], ['dendrite', ['0.15.2']], ['prosody', ['0.12.5', '13.0.2']], ['ejabberd', ['24.12', '25.10']]] as const;

/**
 * How a synthetic server behaves over the week, from a hash of its name:
 * 80% steady, 6% flapping, 5% dying on day 3, 5% appearing on day 3, 4% upgrading on day 4.
 */
function behave(domain: string, at: number): { status: ServerStatus; software: string; version: string } {
  const k = h32(domain) % 100;
  const [software, versions] = SOFTWARE[h32(`${domain}:sw`) % SOFTWARE.length]!;
  const day = Math.floor((at - T0) / (24 * HOUR));
  let vi = h32(`${domain}:v`) % versions.length;
  let up = true;
  if (k >= 80 && k < 86) up = h32(`${domain}:${Math.floor((at - T0) / HOUR)}`) % 3 !== 0;
  else if (k >= 86 && k < 91) up = day < 2;
  else if (k >= 91 && k < 96) up = day >= 2;
  else if (k >= 96 && day >= 3) vi = versions.length - 1;
  return up ? { status: 'ok', software, version: versions[vi]! } : { status: 'unreachable', software: 'unknown', version: '' };
}

const probe: ProbeFn = async (domain, protocol, { passId, now }) => {
  const b = behave(domain, now.getTime());
  const ok = b.status === 'ok';
  // Three steps, the usual shape of a probe (DNS, TLS, version).
  const steps = ['dns.srv', 'tls.handshake', protocol === 'matrix' ? 'matrix.federation-version' : 'xmpp.version'];
  const observations: Observation[] = steps.map((step, i) => ({
    passId, domain, protocol, step, observedAt: now, outcome: ok || i === 0 ? 'ok' : 'net.connect-refused', durationMs: 5 + i,
    facts: ok && i === 2 ? { name: b.software, version: b.version } : {}, raw: ok && i === 2 ? `{"server":{"name":"${b.software}","version":"${b.version}"}}` : '', error: '',
  }));
  const result: ProbeResult = {
    snapshot: {
      passId, domain, protocol, observedAt: now, status: b.status, software: b.software, versionRaw: b.version, version: b.version,
      registration: 'closed', features: ok ? ['f.a', 'f.b'] : [], specVersions: [], tls: null, dnssec: null, dane: null, ipv4: true, ipv6: null,
      publicRooms: 0, publicMembers: 0, users: null, endpoint: `${domain}:8448`, error: ok ? '' : 'net.connect-refused: refused', report: [],
    },
    observations, rooms: [], discoveries: [],
  };
  return result;
};

const dir = mkdtempSync(join(tmpdir(), 'chatlas-bench-week-'));
const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: join(dir, 'data') } }));
await migrate(db);
let simNow = T0;
const model = args.requests ? modelServers(DOMAINS) : [];
const modelled = args.requests ? modelProbe(model, T0, () => simNow) : null;
const seeds = Array.from({ length: DOMAINS }, (_, i) => ({ domain: `s${i}.bench${i % 251}.net`, protocol: (i % 3 === 0 ? 'xmpp' : 'matrix') as 'xmpp' | 'matrix', source: 'bench' }));

// One cache for the run, as the scheduler of chatlas serve keeps one (jobs/crawl/scheduler.ts).
const history = args['full-history'] ? undefined : new HistoryCache();
const rss: number[] = [];
const heap: number[] = [];
let storeMs = 0;
const planMs: number[] = [];
let probes = 0;
let passes = 0;
const wallStart = Date.now();
let passWall = 0;
for (let t = T0; t < T0 + HOURS * HOUR; t += STEP) {
  const now = new Date(t);
  simNow = t;
  const started = Date.now();
  const s = await runCrawlPass({ db, probe: modelled?.probe ?? probe, seeds, clock: () => now, observer: { batchStored: ({ durationMs }) => { storeMs += durationMs; } } }, {
    concurrency: Number(args.concurrency), batchSize: Number(args.batch), batchDelayMs: 1000,
    ...(args['no-journal'] ? {} : { journalDir: join(dir, 'journal') }),
    ...(history ? { history } : {}),
  });
  const took = Date.now() - started;
  passWall += took;
  probes += s.probed;
  if (s.planned > 0) passes++;
  planMs.push(s.planMs);
  global.gc?.();
  const mem = process.memoryUsage();
  rss.push(mem.rss);
  heap.push(mem.heapUsed);
  if (!args.json) process.stderr.write(`\rsim ${new Date(t).toISOString().slice(0, 16)}  probes ${probes}  ${(probes / ((Date.now() - wallStart) / 1000)).toFixed(0)}/s  rss ${(rss.at(-1)! / 2 ** 20).toFixed(0)} MiB   `);
}
const wallMs = Date.now() - wallStart;

// Rollups against a recount from raw, per day.
const q = async <T>(query: string) => (await db.client.query({ query, format: 'JSONEachRow' })).json<T>();
const dailyRollup = await q<{ day: string; probes: string; ok: string }>(`SELECT toString(day) AS day, sum(probes) AS probes, sum(ok_probes) AS ok FROM server_daily_v1 GROUP BY day ORDER BY day`);
const dailyRaw = await q<{ day: string; probes: string; ok: string }>(`SELECT toString(toDate(observed_at)) AS day, count() AS probes, countIf(status = 'ok') AS ok FROM server_snapshots GROUP BY day ORDER BY day`);
const swRollup = await q<{ k: string; n: string }>(`SELECT concat(toString(day), ' ', software, ' ', version) AS k, uniqExactMerge(servers) AS n FROM software_daily_v1 GROUP BY day, software, version ORDER BY k`);
const swRaw = await q<{ k: string; n: string }>(`SELECT concat(toString(toDate(observed_at)), ' ', software, ' ', version) AS k, uniqExact(domain) AS n FROM server_snapshots WHERE status = 'ok' GROUP BY toDate(observed_at), software, version ORDER BY k`);
const requests = args.requests ? await requestReport(db, model, T0, HOURS, STEP) : null;
const dupes = await q<{ c: string }>(`SELECT count() AS c FROM (SELECT pass_id, protocol, domain FROM server_snapshots GROUP BY pass_id, protocol, domain HAVING count() > 1)`);
const [rowsObs] = await q<{ c: string }>(`SELECT count() AS c FROM observations`);
const [bytes] = await q<{ b: string }>(`SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE active AND database = currentDatabase()`);
await db.close();
rmSync(dir, { recursive: true, force: true });

const mib = (b: number) => Math.round(b / 2 ** 20);
const quarter = Math.max(1, Math.floor(rss.length / 4));
const avg = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const result = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  domains: DOMAINS, simulatedHours: HOURS, stepMinutes: STEP / 60_000, passesWithWork: passes,
  probes, wallSeconds: Math.round(wallMs / 1000), probesPerSecond: Math.round(probes / (passWall / 1000)),
  storeSeconds: Math.round(storeMs / 1000), planSecondsTotal: Math.round(planMs.reduce((a, b) => a + b, 0) / 1000),
  journal: !args['no-journal'],
  historyBetweenPasses: history !== undefined,
  planSecondsP50Max: [Number(((planMs.toSorted((a, b) => a - b)[Math.floor(planMs.length / 2)] ?? 0) / 1000).toFixed(2)), Number((Math.max(...planMs) / 1000).toFixed(2))],
  // RSS per simulated day (MiB, after the day's last pass): flat or not, at a glance.
  rssMiBPerDay: rss.filter((_, i) => (i + 1) % Math.round(24 * HOUR / STEP) === 0).map(mib),
  heapMiBPerDay: heap.filter((_, i) => (i + 1) % Math.round(24 * HOUR / STEP) === 0).map(mib),
  planSecondsFirstLast: [Number(((planMs[0] ?? 0) / 1000).toFixed(2)), Number(((planMs.at(-1) ?? 0) / 1000).toFixed(2))],
  rssMiB: { min: mib(Math.min(...rss)), max: mib(Math.max(...rss)), firstQuarterAvg: mib(avg(rss.slice(0, quarter))), lastQuarterAvg: mib(avg(rss.slice(-quarter))) },
  // The JS heap is the crawler's own memory; RSS adds the embedded ClickHouse (caches grow with data).
  heapMiB: { min: mib(Math.min(...heap)), max: mib(Math.max(...heap)), firstQuarterAvg: mib(avg(heap.slice(0, quarter))), lastQuarterAvg: mib(avg(heap.slice(-quarter))) },
  observationRows: Number(rowsObs?.c ?? 0), storeMiB: mib(Number(bytes?.b ?? 0)),
  rollupsMatchRaw: JSON.stringify(dailyRollup) === JSON.stringify(dailyRaw) && JSON.stringify(swRollup) === JSON.stringify(swRaw),
  duplicateSnapshots: Number(dupes[0]?.c ?? 0),
  ...(requests && modelled ? { requests: { ...requests, refusedByKind: modelled.refused } } : {}),
};
process.stderr.write('\n');
process.stdout.write(`${JSON.stringify(result, null, args.json ? 0 : 2)}\n`);
if (!result.rollupsMatchRaw || result.duplicateSnapshots !== 0) process.exitCode = 1;
