/**
 * XMPP probe benchmark (issue 4): account-free `probeXmpp` (SRV lookups, A/AAAA
 * and TLSA, c2s stream, STARTTLS with a real TLS handshake, features after TLS)
 * of N simulated XMPP servers, each on its own loopback address, with RTT ms
 * injected before every answer. BENCH ONLY; only 127.0.0.0/8 is used.
 *
 *   node bench/xmpp-probe.ts [--servers 5000] [--concurrency 500] [--rtt 50] [--block 74] [--out FILE]
 *
 * Processes: this driver/prober, and one fleet child (`--role fleet`) holding
 * the DNS server and the N stream servers, so the prober's CPU and memory are
 * measured alone.
 *
 * The fleet: server i is `s<i>.xmpp.bench.test`, c2s on `127.<block>.x.y:5222`
 * (`--block` 70-78, inside the 127.70.0.0/12 benchmark block); DNS answers
 * `_xmpp-client._tcp` with that target, `_xmpp-server._tcp` with "." (s2s not
 * offered, so one stream per probe), A records, no AAAA/TLSA. Each server
 * replays Prosody 0.12.3's captured bytes (tests/fixtures/rfc6120-features)
 * and answers STARTTLS with one shared TLS context (wildcard test-CA cert).
 *
 * Latency bound: the stream part of one probe waits for 3 delayed answers
 * (header+features, proceed, features after TLS) → 3 × RTT; N servers at C at
 * a time need at least 3 × RTT × N ÷ C.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import PQueue from 'p-queue';

const { values } = parseArgs({ options: {
  servers: { type: 'string', default: '5000' },
  concurrency: { type: 'string', default: '500' },
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
if (!(Number.isInteger(BLOCK) && BLOCK >= 70 && BLOCK <= 78)) throw new TypeError(`--block must be 70-78, got ${JSON.stringify(values.block)}`);
if (!(Number.isInteger(N) && N > 0 && N <= 16_000)) throw new TypeError(`--servers must be 1-16000 (one listening socket each), got ${JSON.stringify(values.servers)}`);
if (!(Number.isInteger(C) && C > 0)) throw new TypeError(`--concurrency must be a positive whole number, got ${JSON.stringify(values.concurrency)}`);

const ipOf = (i: number): string => `127.${BLOCK}.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`;
const nameOf = (i: number): string => `s${i}.xmpp.bench.test`;
const fixture = (p: string): string => readFileSync(new URL(`../tests/fixtures/${p}`, import.meta.url), 'utf8');

async function fleet(): Promise<void> {
  const { startDnsServer } = await import('../tests/harness/dns-server.ts');
  const { createTestCa } = await import('../tests/harness/test-ca.ts');
  const ca = await createTestCa();
  const cert = await ca.issue(['*.xmpp.bench.test']);
  const context = tls.createSecureContext({ key: cert.keyPem, cert: cert.certPem });
  const pre = fixture('rfc6120-features/prosody-0.12.3-c2s-pre-tls.input.xml');
  const post = fixture('rfc6120-features/prosody-0.12.3-c2s-post-tls.input.xml');
  const later = (f: () => void): void => void setTimeout(f, RTT);
  const serve = (socket: net.Socket | tls.TLSSocket, secured: boolean): void => {
    let buf = '';
    socket.on('error', () => {});
    const onData = (b: Buffer): void => {
      buf += b.toString();
      if (buf.includes('<stream:stream')) {
        buf = buf.slice(buf.indexOf('<stream:stream') + 14);
        later(() => socket.write(secured ? post : pre));
      }
      if (!secured && buf.includes('<starttls')) {
        socket.off('data', onData);
        later(() => socket.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", () => {
          const s = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
          s.on('error', () => {});
          serve(s, true);
        }));
      }
      if (buf.includes('</stream:stream>')) socket.end('</stream:stream>');
    };
    socket.on('data', onData);
  };
  const zones: Record<string, object> = {};
  for (let i = 0; i < N; i++) {
    zones[`_xmpp-client._tcp.${nameOf(i)}`] = { SRV: [{ priority: 0, weight: 0, port: 5222, target: `c2s.${nameOf(i)}` }] };
    zones[`_xmpp-server._tcp.${nameOf(i)}`] = { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] };
    zones[`c2s.${nameOf(i)}`] = { A: [ipOf(i)] };
  }
  const dns = await startDnsServer({ host: `127.${BLOCK}.255.53`, zones: zones as never });
  for (let i = 0; i < N; i++) {
    const server = net.createServer((s) => serve(s, false));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(5222, ipOf(i), () => resolve());
    });
  }
  process.send?.({ ready: true, dns: dns.address, ca: ca.caPem });
  process.on('disconnect', () => process.exit(0));
}

async function driver(): Promise<void> {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--role', 'fleet', '--servers', String(N), '--rtt', String(RTT), '--block', String(BLOCK)]);
  const ready = await new Promise<{ dns: string; ca: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { dns: string; ca: string }));
    child.once('exit', (code) => reject(new Error(`fleet exited with ${code}`)));
  });
  const { loadCrawlConfig } = await import('../crawler/config.ts');
  const { createNetContext } = await import('../crawler/net/context.ts');
  const { probeXmpp } = await import('../crawler/probe/xmpp.ts');
  const ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: ready.dns, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_STEP_TIMEOUT_MS: '30000' } }, { extraCaPems: [ready.ca] }));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);
  const statuses: Record<string, number> = {};
  /** Total time per probe step (ms), to see where the wall time goes. */
  const steps: Record<string, number> = {};
  const queue = new PQueue({ concurrency: C });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    void queue.add(async () => {
      const r = await probeXmpp(ctx, nameOf(i), { passId: 'bench', skipHttp: true });
      statuses[r.snapshot.status] = (statuses[r.snapshot.status] ?? 0) + 1;
      for (const o of r.observations) steps[o.step] = (steps[o.step] ?? 0) + o.durationMs;
    });
  }
  await queue.onIdle();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await ctx.close();
  child.disconnect();
  const bound = (3 * RTT * N) / C;
  const result = {
    date: new Date().toISOString(), servers: N, concurrency: C, rttMs: RTT, statuses,
    meanStepMs: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(v / N)])),
    wallMs: Math.round(wallMs), latencyBoundMs: Math.round(bound), overBound: Number((wallMs / bound).toFixed(2)),
    probesPerSecond: Number((N / (wallMs / 1000)).toFixed(1)),
    peakRssMiB: Math.round(peakRss / 1048576),
    cpuMsPerServer: Number(((cpu.user + cpu.system) / 1000 / N).toFixed(2)),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
}

await (values.role === 'fleet' ? fleet() : driver());
