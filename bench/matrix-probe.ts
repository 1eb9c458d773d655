/**
 * Matrix probe benchmark (issue 3): a full probeMatrix of N simulated
 * homeservers (bench/matrix-federation-server.ts) with `latency` ms added
 * before every HTTP answer. Reports wall time against the latency bound
 * (sequential round trips per server × RTT × N ÷ concurrency, the sequential
 * round trips measured as a lone probe's time ÷ RTT), peak RSS
 * and RSS along the run (flat = memory does not grow with N), CPU per server.
 *
 *   node bench/matrix-probe.ts [--servers 10000] [--concurrency 500] [--latency 50] [--out FILE]
 *
 * Three processes, so the prober's CPU and memory are measured alone: this
 * driver, the simulated federation, and the prober. The prober trusts the
 * test CA through NODE_EXTRA_CA_CERTS, the production path (crawler/config.ts).
 * Each ProbeResult is counted and dropped, as the crawl loop does after
 * handing a batch to the store.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCrawlConfig } from '../crawler/config.ts';
import { createNetContext } from '../crawler/net/context.ts';
import { probeMatrix } from '../crawler/probe/matrix.ts';

const { values } = parseArgs({ options: {
  servers: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '500' },
  latency: { type: 'string', default: '50' }, addresses: { type: 'string', default: '50' }, out: { type: 'string' },
} });
const N = Number(values.servers);
const C = Number(values.concurrency);
const RTT = Number(values.latency);
// Bench-only switches between the roles of this file (not crawler configuration).
const role = process.env['CHATLAS_BENCH_ROLE'] ?? 'driver';

/** The prober: N probes, C at a time; sends its measures to the driver. */
async function prober(): Promise<void> {
  const config = loadCrawlConfig({ env: {
    CHATLAS_DNS: process.env['CHATLAS_BENCH_DNS'] ?? '', CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16',
    CHATLAS_PROBE_TIMEOUT_MS: '600000', CHATLAS_STEP_TIMEOUT_MS: '60000', CHATLAS_HEADERS_TIMEOUT_MS: '60000', CHATLAS_CONNECT_TIMEOUT_MS: '60000',
  } });
  const ctx = createNetContext(config);
  const passId = randomUUID();
  const statuses: Record<string, number> = {};
  let httpSteps = 0;
  let rooms = 0;
  let peakRss = 0;
  const rssAt: Record<string, number> = {};
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 200);
  // The critical path: a few probes alone, one after the other; their time ÷ RTT is the number
  // of round trips a probe must wait for in sequence (some of its requests run in parallel).
  const solo: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await probeMatrix(ctx, `hs${N - 1 - i}.bench.test`, { passId });
    solo.push(performance.now() - t);
  }
  const soloMs = solo.sort((a, b) => a - b)[2] ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < N) {
      const i = next++;
      const r = await probeMatrix(ctx, `hs${i}.bench.test`, { passId });
      statuses[r.snapshot.status] = (statuses[r.snapshot.status] ?? 0) + 1;
      httpSteps += r.observations.filter((o) => typeof o.facts['status'] === 'number').length;
      rooms += r.rooms.length;
      done++;
      if (done % Math.ceil(N / 4) === 0) rssAt[`${done}`] = Math.round(process.memoryUsage.rss() / 2 ** 20);
    }
  };
  await Promise.all(Array.from({ length: Math.min(C, N) }, worker));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  await ctx.close();
  process.send?.({
    statuses, rooms, httpStepsPerServer: httpSteps / N, wallMs: Math.round(wallMs), soloProbeMs: Math.round(soloMs),
    sequentialRoundTrips: Math.round(soloMs / RTT),
    cpuMsPerServer: Number(((cpu.user + cpu.system) / 1000 / N).toFixed(2)), peakRssMiB: Math.round(peakRss / 2 ** 20), rssMiBAtProgress: rssAt,
  });
}

/** The driver: starts the federation and the prober, computes the bound. */
async function driver(): Promise<void> {
  const server = fork(new URL('./matrix-federation-server.ts', import.meta.url).pathname, ['--servers', String(N), '--addresses', String(values.addresses), '--latency', String(RTT)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-bench-ca-'));
  try {
    const ready = await new Promise<{ dns: string; caPem: string }>((resolve, reject) => {
      server.once('message', (m) => resolve(m as { dns: string; caPem: string }));
      server.once('exit', (code) => reject(new Error(`federation child exited ${code}`)));
    });
    const stats = () => new Promise<{ requests: number; connections: number; dnsQueries: number; connectionsByPort: Record<string, number>; dnsByType: Record<string, number> }>((resolve) => { server.once('message', (m) => resolve(m as never)); server.send('stats'); });
    writeFileSync(join(dir, 'ca.pem'), ready.caPem);
    const before = await stats();
    const child = fork(new URL(import.meta.url).pathname, process.argv.slice(2), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, CHATLAS_BENCH_ROLE: 'prober', CHATLAS_BENCH_DNS: ready.dns, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
    });
    const measured = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<string, unknown>));
      child.once('exit', (code) => reject(new Error(`prober exited ${code}`)));
    });
    const after = await stats();
    // The solo probes ran before the timed ones: leave them out of the per-server counts.
    const probes = N + 5;
    const requestsPerServer = (after.requests - before.requests) / probes;
    const boundMs = ((measured['sequentialRoundTrips'] as number) * RTT * N) / Math.min(C, N);
    const result = {
      date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      servers: N, concurrency: C, latencyMs: RTT, ...measured,
      requestsPerServer, connectionsPerServer: (after.connections - before.connections) / probes, dnsQueriesPerServer: (after.dnsQueries - before.dnsQueries) / probes,
      connectionsByPort: after.connectionsByPort, dnsQueriesByType: after.dnsByType,
      boundMs: Math.round(boundMs), ratio: Number(((measured['wallMs'] as number) / boundMs).toFixed(2)),
    };
    console.log(JSON.stringify(result, null, 2));
    if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (role === 'prober') await prober();
else await driver();
process.exit(0);
