/**
 * XMPP probe benchmark (issue 4). BENCH ONLY; nothing leaves 127.0.0.0/8.
 *
 *   node bench/xmpp-probe.ts [--servers 5000] [--concurrency 100] [--rtt 50] [--block 74] [--out FILE]
 *
 * What is probed: `probeXmpp` without an observer account and without the
 * HTTPS lookups (`skipHttp`: the fleet has no web servers), i.e. 4 SRV
 * lookups, A/AAAA/TLSA of the target, then the c2s stream (header, STARTTLS,
 * a real TLS 1.3 handshake, features after TLS, the IBR form when advertised)
 * and the s2s stream (same, `jabber:server`). Why no observer: with one the
 * probe's wall time is the observer's server, not the probed one; see
 * BENCHMARKS.md.
 *
 * The fleet and our DNS server (two child processes, so the prober's CPU and
 * memory are measured alone): server i is `s<i>.xmpp.bench.test`, its SRV targets (`_xmpp-client`
 * 5222, `_xmpp-server` 5269) point to `t<i>.xmpp.bench.test` = its own address
 * `127.<block>.x.y` (`--block` 70-79, the 127.70.0.0/12 benchmark block; the
 * default 74 stays clear of bench/matrix-probe.ts's 72/73), our DNS server on
 * `127.<block>.255.53` (answers not delayed). Even servers replay Prosody
 * 0.12.3's captured bytes, odd ones ejabberd 23.01's (IBR advertised, form
 * answered), through sim/sim-xmpp-stream-server.ts with `rtt` ms
 * injected: the accept is held one RTT and every server write (TLS flights
 * included) leaves one RTT later. One wildcard certificate, one TLS context.
 *
 * Latency bound: round trips a probe must wait for, one after the other:
 * per stream accept + features + proceed + TLS server flight + features after
 * TLS = 5, plus 1 for the ejabberd register form; c2s then s2s → 10 (Prosody)
 * or 11 (ejabberd). Bound = Σ round trips × RTT ÷ concurrency.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import tls from 'node:tls';
import { cpus, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fdLimit } from './fd-limit.ts';
import { runQueued } from './run-queued.ts';

const { values } = parseArgs({ options: {
  servers: { type: 'string', default: '5000' },
  concurrency: { type: 'string', default: '100' },
  rtt: { type: 'string', default: '50' },
  block: { type: 'string', default: '74' },
  out: { type: 'string' },
  // Internal: which role this process plays.
  role: { type: 'string', default: 'driver' },
} });
const N = Number(values.servers);
const C = Number(values.concurrency);
const RTT = Number(values.rtt);
const BLOCK = Number(values.block);
if (!(Number.isInteger(BLOCK) && BLOCK >= 70 && BLOCK <= 79)) throw new TypeError(`--block must be 70-79, got ${JSON.stringify(values.block)}`);
if (!(Number.isInteger(N) && N > 0 && N <= 60_000)) throw new TypeError(`--servers must be 1-60000 (250 addresses per /24), got ${JSON.stringify(values.servers)}`);
if (!(Number.isInteger(C) && C > 0)) throw new TypeError(`--concurrency must be a positive whole number, got ${JSON.stringify(values.concurrency)}`);
if (!(Number.isFinite(RTT) && RTT >= 0)) throw new TypeError(`--rtt must be >= 0 ms, got ${JSON.stringify(values.rtt)}`);

/** Hard stop: the bench ends by itself. */
const DEADLINE_MS = 15 * 60_000;
const ipOf = (i: number): string => `127.${BLOCK}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const nameOf = (i: number): string => `s${i}.xmpp.bench.test`;
const implOf = (i: number): 'prosody' | 'ejabberd' => (i % 2 === 0 ? 'prosody' : 'ejabberd');
const roundTripsOf = (i: number): number => 2 * 5 + (implOf(i) === 'ejabberd' ? 1 : 0);


/** Role `fleet`: DNS + 2 listeners per server. Replies to 'stats' with connections and CPU. */
async function fleet(): Promise<void> {
  const { createTestCa } = await import('../sim/test-ca.ts');
  const { startSimStreamEndpoint } = await import('../sim/sim-xmpp-stream-server.ts');
  const { fixture } = await import('../sim/sim-xmpp.ts');
  const { replayScripts } = await import('../sim/sim-xmpp-replies.ts');
  const need = 2 * N + 4 * C + 200;
  if (fdLimit() < need) throw new Error(`open-file limit ${fdLimit()} < ${need} needed by the fleet: raise ulimit -n`);
  const t0 = performance.now();
  const ca = await createTestCa();
  const cert = await ca.issue(['*.xmpp.bench.test']);
  const secureContext = tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem });
  // One script per implementation; the domain in the bytes is a fixed name (the probe records, never checks, `from`).
  const scripts = { prosody: replayScripts('prosody', 'xmpp.bench.test', fixture), ejabberd: replayScripts('ejabberd', 'xmpp.bench.test', fixture) };
  const endpoints: Array<{ connections: number; close(): Promise<void> }> = [];
  for (let i = 0; i < N; i++) {
    const s = scripts[implOf(i)];
    endpoints.push(await startSimStreamEndpoint({ host: ipOf(i), port: 5222, script: s.c2s, tls: { secureContext }, rttMs: RTT }));
    endpoints.push(await startSimStreamEndpoint({ host: ipOf(i), port: 5269, script: s.s2s, tls: { secureContext }, rttMs: RTT }));
  }
  const setupMs = Math.round(performance.now() - t0);
  const shutdown = async (): Promise<void> => {
    await Promise.all(endpoints.map((e) => e.close()));
    await ca.cleanup();
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m === 'stats') {
      const cpu = process.cpuUsage();
      process.send?.({ connections: endpoints.reduce((n, e) => n + e.connections, 0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20) });
    }
  });
  process.on('disconnect', () => void shutdown());
  setTimeout(() => void shutdown(), DEADLINE_MS).unref();
  process.send?.({ ready: true, caPem: ca.caPem, listeners: endpoints.length, setupMs });
}

/**
 * Role `dns`: our DNS server in its own process (in the fleet it queued behind
 * TLS handshakes). TTL 300 s, as zones usually have: the probe's resolver
 * caches the target's A record between its own lookup and the connects.
 */
async function dnsRole(): Promise<void> {
  const { startDnsServer } = await import('../sim/dns-server.ts');
  const zones: Record<string, object> = {};
  for (let i = 0; i < N; i++) {
    const target = `t${i}.xmpp.bench.test`;
    zones[`_xmpp-client._tcp.${nameOf(i)}`] = { SRV: [{ priority: 0, weight: 0, port: 5222, target }] };
    zones[`_xmpp-server._tcp.${nameOf(i)}`] = { SRV: [{ priority: 0, weight: 0, port: 5269, target }] };
    zones[target] = { A: [ipOf(i)] };
  }
  const dns = await startDnsServer({ host: `127.${BLOCK}.255.53`, zones: zones as never, ttl: 300 });
  const shutdown = async (): Promise<void> => {
    await dns.close();
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m === 'stats') {
      const cpu = process.cpuUsage();
      process.send?.({ connections: 0, dnsQueries: dns.queries.length, cpuMs: Math.round((cpu.user + cpu.system) / 1000), rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20) });
    }
  });
  process.on('disconnect', () => void shutdown());
  setTimeout(() => void shutdown(), DEADLINE_MS).unref();
  process.send?.({ ready: true, dns: dns.address });
}

type FleetStats = { connections: number; dnsQueries?: number; cpuMs: number; rssMiB: number };
const askStats = (child: ChildProcess): Promise<FleetStats> =>
  new Promise((resolve) => { child.once('message', (m) => resolve(m as FleetStats)); child.send('stats'); });

/** Role `driver`: starts the fleet, probes, reports. */
async function driver(): Promise<void> {
  if (fdLimit() < 4 * C + 200) throw new Error(`open-file limit ${fdLimit()} < ${4 * C + 200} needed by the prober: raise ulimit -n`);
  const argv = ['--servers', String(N), '--concurrency', String(C), '--rtt', String(RTT), '--block', String(BLOCK)];
  const self = new URL(import.meta.url).pathname;
  const child = fork(self, ['--role', 'fleet', ...argv], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const dnsChild = fork(self, ['--role', 'dns', ...argv], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const hardStop = setTimeout(() => {
    console.error(`bench: still running after ${DEADLINE_MS / 60_000} min, stopping`);
    child.kill('SIGKILL');
    dnsChild.kill('SIGKILL');
    process.exit(2);
  }, DEADLINE_MS);
  const readyOf = <T>(c: ChildProcess, what: string): Promise<T> => new Promise<T>((resolve, reject) => {
    c.once('message', (m) => resolve(m as T));
    c.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
  try {
    const [ready, dnsReady] = await Promise.all([
      readyOf<{ caPem: string; listeners: number; setupMs: number }>(child, 'fleet'),
      readyOf<{ dns: string }>(dnsChild, 'dns'),
    ]);
    console.error(`fleet ready: ${ready.listeners} listeners in ${ready.setupMs} ms`);
    const { loadCrawlConfig } = await import('../crawler/config.ts');
    const { createNetContext } = await import('../crawler/net/context.ts');
    const { probeXmpp } = await import('../crawler/probe/xmpp.ts');
    // Generous deadlines: a loaded machine must show up as slow, not as failed probes.
    const ctx = createNetContext(loadCrawlConfig({ env: {
      CHATLAS_DNS: dnsReady.dns, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_PER_HOST_INTERVAL_MS: '0',
      CHATLAS_STEP_TIMEOUT_MS: '60000', CHATLAS_CONNECT_TIMEOUT_MS: '60000', CHATLAS_DNS_TIMEOUT_MS: '10000', CHATLAS_PROBE_TIMEOUT_MS: '600000',
    } }, { extraCaPems: [ready.caPem] }));
    const before = await askStats(child);
    const dnsBefore = await askStats(dnsChild);
    const statuses: Record<string, number> = {};
    const software: Record<string, number> = {};
    const registration: Record<string, number> = {};
    const stepMs: Record<string, number> = {};
    const rssMiBAt: Record<string, number> = {};
    const marks = new Set([1000, 2500, 5000, N]);
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 100);
    // Event-loop delay of the prober: how long ready work waited (CPU starvation shows here).
    const eld = monitorEventLoopDelay({ resolution: 10 });
    eld.enable();
    let done = 0;
    let roundTrips = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const probeOne = async (i: number): Promise<void> => {
      const r = await probeXmpp(ctx, nameOf(i), { passId: 'bench', skipHttp: true });
      statuses[r.snapshot.status] = (statuses[r.snapshot.status] ?? 0) + 1;
      software[r.snapshot.software] = (software[r.snapshot.software] ?? 0) + 1;
      registration[r.snapshot.registration] = (registration[r.snapshot.registration] ?? 0) + 1;
      for (const o of r.observations) stepMs[o.step] = (stepMs[o.step] ?? 0) + o.durationMs;
      roundTrips += roundTripsOf(i);
      done++;
      if (marks.has(done)) rssMiBAt[String(done)] = Math.round(process.memoryUsage.rss() / 2 ** 20);
    };
    await runQueued(N, C, probeOne);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    eld.disable();
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const after = await askStats(child);
    const dnsAfter = await askStats(dnsChild);
    await ctx.close();
    const boundMs = (roundTrips * RTT) / Math.min(C, N);
    const result = {
      benchmark: 'xmpp-probe', date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, fdLimit: fdLimit(), loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))) },
      config: { servers: N, concurrency: C, rttMs: RTT, observer: false, skipHttp: true, addresses: `${ipOf(0)} … ${ipOf(N - 1)} (one per server, c2s 5222 + s2s 5269)`, mix: 'even: Prosody 0.12.3 bytes, odd: ejabberd 23.01 bytes (IBR form)', fleetSetupMs: ready.setupMs },
      statuses, software, registration,
      roundTripsPerServer: roundTrips / N,
      wallMs: Math.round(wallMs), latencyBoundMs: Math.round(boundMs), ratio: Number((wallMs / boundMs).toFixed(2)),
      probesPerSecond: Number((N / (wallMs / 1000)).toFixed(1)),
      prober: { peakRssMiB: Math.round(peakRss / 2 ** 20), rssMiBAt, cpuMsPerServer: Number(((cpu.user + cpu.system) / 1000 / N).toFixed(2)), cpuShareOfWall: Number(((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2)), eventLoopDelayMs: { mean: Number((eld.mean / 1e6).toFixed(1)), p99: Number((eld.percentile(99) / 1e6).toFixed(1)), max: Number((eld.max / 1e6).toFixed(1)) } },
      fleet: { connectionsPerServer: (after.connections - before.connections) / N, cpuMsPerServer: Number(((after.cpuMs - before.cpuMs) / N).toFixed(2)), rssMiB: after.rssMiB },
      dns: { queriesPerServer: ((dnsAfter.dnsQueries ?? 0) - (dnsBefore.dnsQueries ?? 0)) / N, cpuMsPerServer: Number(((dnsAfter.cpuMs - dnsBefore.cpuMs) / N).toFixed(2)), ttlS: 300, delayed: false },
      meanStepMs: Object.fromEntries(Object.entries(stepMs).map(([k, v]) => [k, Math.round(v / N)])),
    };
    console.error(`N=${N} C=${C}: wall ${result.wallMs} ms, bound ${result.latencyBoundMs} ms, ratio ${result.ratio}, prober peak RSS ${result.prober.peakRssMiB} MiB, CPU ${result.prober.cpuMsPerServer} ms/server (fleet ${result.fleet.cpuMsPerServer})`);
    console.log(JSON.stringify(result, null, 2));
    if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    clearTimeout(hardStop);
    for (const c of [child, dnsChild]) {
      if (c.connected) c.disconnect();
      await new Promise((resolve) => { if (c.exitCode !== null) resolve(null); else c.once('exit', resolve); });
    }
  }
}

if (values.role === 'fleet') await fleet();
else if (values.role === 'dns') await dnsRole();
else {
  await driver();
  process.exit(0);
}
