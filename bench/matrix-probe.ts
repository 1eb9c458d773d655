/**
 * Matrix probe benchmark (issue 3): a full `probeMatrix` (every step: well-known
 * delegation, client and support well-knowns, TLS facts, robots.txt, federation
 * version, signing keys with signature check, client versions, login flows,
 * auth metadata, the register probe, the public room directory, reachability)
 * of N simulated homeservers, each on its own loopback address, with RTT ms
 * injected per request and per connection. BENCH ONLY.
 *
 *   node bench/matrix-probe.ts [--sizes 2000,5000,10000] [--concurrency 500] [--rtt 50]
 *                              [--connect-rtts 2] [--block 72] [--interval MS] [--shared-tls-context]
 *                              [--sign] [--repeat 1] [--addresses A] [--profile DIR] [--out FILE] [--help]
 *
 * `--sign` measures each size twice in the same run, against the same simulated
 * federation: first without a federation identity (the probe reads the client
 * directory only), then with one (`probeMatrix`'s `federation: { serverName, key }`:
 * every federation directory page and alias query signed with an X-Matrix
 * header). The driver generates the identity (crawler/protocol/matrix-signing.ts
 * `generateSigningKey`) and every simulated homeserver trusts its public key
 * (sim/matrix-federation.ts `federationDirectory.trusted`), so it verifies each
 * signature as Synapse does and shares its directory. Each mode gets its own
 * calibrated floor. `--repeat R` runs every size R times (alternating without and
 * with the identity when `--sign`), to show the spread on a shared machine; the
 * load average is recorded before and after every run.
 *
 * Processes: this driver; one simulated federation for the largest size
 * (role `federation`); one fresh prober per size (role `prober`), so the
 * prober's CPU and memory are measured alone and peak RSS can be compared
 * between sizes. The prober trusts the test CA through NODE_EXTRA_CA_CERTS
 * (the production path, crawler/config.ts).
 *
 * The federation:
 * - homeserver i is `hs<i>.bench.test` on its own address in 127.72.0.0/15
 *   (`--block`; 127.70/16 and 127.71/16 are used by other benchmarks that may
 *   run beside this one; all inside the 127.70.0.0/12 benchmark block of
 *   CONTRIBUTING.md),
 *   port 443 only: the well-known delegates to `hs<i>.bench.test:443` and the
 *   client well-known names `https://hs<i>.bench.test` (a common real layout;
 *   a second port per server would need 20,000 listening sockets, over this
 *   machine's fd limit of 20,000);
 * - our DNS server (sim/dns-server.ts) answers the A records of all
 *   names (AAAA: no data), on 127.<block+1>.255.53; DNS replies are not delayed
 *   (resolvers are near the crawler and cache);
 * - one test CA, one wildcard certificate `*.bench.test`, one TLS context: a
 *   plain TCP listener per address hands each connection to one shared HTTPS
 *   server after `connect-rtts` × RTT (TCP handshake + TLS 1.3 handshake), as
 *   sim/fake-https.ts does with `connectLatencyMs`; 10,000 of its
 *   servers would each build their own TLS context;
 * - every answer waits RTT ms before the handler runs; bodies are Synapse
 *   1.163.2's (sim/matrix-federation.ts `matrixApiRoutes`, built from
 *   tests/fixtures/matrix-*), 20 public rooms per server, real ed25519 keys.
 *
 * The prober drives probeMatrix with a p-queue at `concurrency` (the crawl
 * loop's queue, jobs/crawl/crawl.ts, without its store): each ProbeResult is counted
 * and dropped, as the loop does after handing a batch to the store. Nothing is
 * written anywhere.
 *
 * Latency bound: one probe of one server cannot take less than its critical
 * path of round trips × RTT. The probe runs independent requests two at a time
 * (per-host limit), so that path is measured, not summed: a calibration prober
 * probes 20 servers one at a time and its median probe time is the floor F
 * (reported in RTTs beside the server-side counts of requests and
 * connections). N servers at `concurrency` C at a time need at least F × N ÷ C.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import tls from 'node:tls';
import net from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fdLimit } from './fd-limit.ts';
import { runQueued } from './run-queued.ts';
import { generateSigningKey } from '../crawler/protocol/matrix-signing.ts';

const { values } = parseArgs({ allowNegative: true, options: {
  help: { type: 'boolean', short: 'h', default: false },
  sizes: { type: 'string', default: '2000,5000,10000' },
  concurrency: { type: 'string', default: '500' },
  rtt: { type: 'string', default: '50' },
  'connect-rtts': { type: 'string', default: '2' },
  profile: { type: 'string' },
  // Second octet of the /15 used (127.B.0.0/15), inside the 127.70.0.0/12 benchmark block.
  block: { type: 'string', default: '72' },
  // CHATLAS_PER_HOST_INTERVAL_MS of the prober; '' = the crawler's default.
  interval: { type: 'string', default: '' },
  'shared-tls-context': { type: 'boolean', default: false },
  // Listening addresses; names beyond it share them (hs<i> on address i mod A). '' = one per name.
  addresses: { type: 'string', default: '' },
  out: { type: 'string' },
  // Driver: measure without and with a federation identity. Prober (internal, the driver passes
  // --sign or --no-sign, the last one wins): probe with the identity of CHATLAS_BENCH_SIGNING_KEY.
  sign: { type: 'boolean', default: false },
  repeat: { type: 'string', default: '1' },
  // Internal: the size one prober runs.
  servers: { type: 'string' },
} });
if (values.help) {
  // The header comment is the manual (bench/run.ts lists benchmarks from it too).
  const header = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(new URL(import.meta.url), 'utf8'))?.[1] ?? '';
  process.stdout.write(`${header.split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n').trim()}\n`);
  process.exit(0);
}
const SIZES = String(values.sizes).split(',').map(Number);
const MAX_N = Math.max(...SIZES);
const C = Number(values.concurrency);
const RTT = Number(values.rtt);
const CONNECT_RTTS = Number(values['connect-rtts']);
const BLOCK = Number(values.block);
const ADDRESSES = values.addresses ? Number(values.addresses) : MAX_N;
if (!(Number.isInteger(ADDRESSES) && ADDRESSES > 0 && ADDRESSES <= MAX_N)) throw new TypeError(`--addresses must be 1-${MAX_N}, got ${JSON.stringify(values.addresses)}`);
if (!(Number.isInteger(BLOCK) && BLOCK >= 70 && BLOCK <= 78)) throw new TypeError(`--block must be 70-78 (127.70.0.0/12 is for benchmarks), got ${JSON.stringify(values.block)}`);
if (!SIZES.every((n) => Number.isInteger(n) && n > 0 && n <= 100_000)) throw new TypeError(`--sizes must be whole numbers 1-100000, got ${JSON.stringify(values.sizes)}`);
if (!(Number.isInteger(C) && C > 0)) throw new TypeError(`--concurrency must be a positive whole number, got ${JSON.stringify(values.concurrency)}`);
const REPEAT = Number(values.repeat);
if (!(Number.isInteger(REPEAT) && REPEAT > 0 && REPEAT <= 20)) throw new TypeError(`--repeat must be a whole number 1-20, got ${JSON.stringify(values.repeat)}`);
/** Probing modes measured per size: without an identity, and with one when `--sign`. */
const MODES = values.sign ? [false, true] : [false];
// Bench-only switch between the roles of this file (not crawler configuration).
const role = process.env['CHATLAS_BENCH_ROLE'] ?? 'driver';
/** Servers probed one at a time to measure one probe's latency floor. */
const CALIBRATION_SERVERS = 20;
/**
 * Hard stop of every role: the bench must end by itself (15 min, plus 20 ms per server probed;
 * with `--sign`, 150 ms per server and repeat for both modes: the identity's alias queries are
 * sequential round trips, and a machine shared with other work gives the prober a fraction of a core).
 */
const BENCH_DEADLINE_MS = 15 * 60_000 + REPEAT * SIZES.reduce((a, b) => a + b, 0) * (values.sign ? 150 : 20);
/** The Matrix server name the bench's identity federates as (resolves nowhere: only signed into headers). */
const BENCH_ORIGIN = 'chatlas.bench.test';

/** Address of homeserver i: 250 per /24, from 127.72.0.1 on (40 /24s for 10,000); names beyond `--addresses` share them. */
const addressOf = (i: number): string => {
  const block = Math.floor((i % ADDRESSES) / 250);
  return `127.${BLOCK + (block >> 8)}.${block & 255}.${((i % ADDRESSES) % 250) + 1}`;
};
const nameOf = (i: number): string => `hs${i}.bench.test`;
const DNS_HOST = `127.${BLOCK + 1}.255.53`;


/** Role `federation`: MAX_N homeservers, one listener each; replies 'stats' with counters. */
async function federation(): Promise<void> {
  const { startDnsServer } = await import('../sim/dns-server.ts');
  const { createTestCa } = await import('../sim/test-ca.ts');
  const { matrixApiRoutes } = await import('../sim/matrix-federation.ts');
  const { json, text } = await import('../sim/fake-https.ts');
  type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

  const need = ADDRESSES + 4 * C + 200;
  if (fdLimit() < need) throw new Error(`open-file limit ${fdLimit()} < ${need} needed for ${MAX_N} listeners: raise ulimit -n`);
  const ca = await createTestCa();
  const cert = await ca.issue(['*.bench.test']);
  const zones: Record<string, { A: string[] }> = {};
  for (let i = 0; i < MAX_N; i++) zones[nameOf(i)] = { A: [addressOf(i)] };
  const dns = await startDnsServer({ host: DNS_HOST, zones, ttl: 300 });

  // The prober's identity when `--sign`: origin → public key, as a homeserver would hold it after
  // fetching /_matrix/key/v2/server (the bench's origin has no server to fetch it from).
  const trusted = JSON.parse(process.env['CHATLAS_BENCH_TRUSTED'] ?? '{}') as Record<string, string>;
  let requests = 0;
  let signedRequests = 0;
  let connections = 0;
  const byPath = new Map<string, number>();
  // Routes per server name, built on first request (keys signed then): memory of the
  // simulated federation, not of the prober.
  const apis = new Map<string, Record<string, Handler>>();
  const routesOf = (name: string): Record<string, Handler> => {
    let r = apis.get(name);
    if (!r) {
      const rooms = Array.from({ length: 20 }, (_, k) => ({
        room_id: `!r${k}x${name.length}:${name}`, name: `Room ${k}`, topic: 'benchmark room', canonical_alias: `#r${k}:${name}`,
        num_joined_members: 5 + k, world_readable: k % 2 === 0, guest_can_join: false, join_rule: 'public',
      }));
      r = {
        // Synapse with allow_public_rooms_over_federation: true, trusting the bench's identity.
        ...(matrixApiRoutes({ serverName: name, rooms, federationDirectory: { trusted } }) as Record<string, Handler>),
        // Delegation on the same port (explicit :443) and the client base URL, as Synapse deployments publish them.
        '/.well-known/matrix/server': json({ 'm.server': `${name}:443` }),
        '/.well-known/matrix/client': json({ 'm.homeserver': { base_url: `https://${name}` } }),
      };
      apis.set(name, r);
    }
    return r;
  };
  const notFound = text('not found', 404);
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem, keepAliveTimeout: 10_000 }, (req, res) => {
    requests++;
    if (String(req.headers.authorization ?? '').startsWith('X-Matrix ')) signedRequests++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Counted per endpoint: the alias in the client directory path is a parameter.
    const endpoint = path.replace(/^(\/_matrix\/client\/v3\/directory\/room\/).+$/, '$1{roomAlias}');
    byPath.set(endpoint, (byPath.get(endpoint) ?? 0) + 1);
    const name = String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    setTimeout(() => {
      const handler = /^hs\d+\.bench\.test$/.test(name) ? routesOf(name)[path] ?? notFound : notFound;
      Promise.resolve(handler(req, res)).catch(() => res.destroy());
    }, RTT);
  });
  server.on('tlsClientError', () => {});
  server.on('clientError', (_e, socket) => socket.destroy());
  const sockets = new Set<net.Socket>();
  const fronts: net.Server[] = [];
  const onConnection = (socket: net.Socket): void => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    setTimeout(() => { if (!socket.destroyed) server.emit('connection', socket); }, CONNECT_RTTS * RTT);
  };
  for (let i = 0; i < ADDRESSES; i++) {
    const front = net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(443, addressOf(i), 1024, () => resolve());
    });
    fronts.push(front);
  }
  process.on('message', (msg) => {
    if (msg === 'stats') {
      const cpu = process.cpuUsage();
      process.send?.({ requests, signedRequests, connections, dnsQueries: dns.queries.length, byPath: Object.fromEntries(byPath), cpuMs: (cpu.user + cpu.system) / 1000 });
    }
  });
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const s of sockets) s.destroy();
    await Promise.all(fronts.map((f) => new Promise<void>((resolve) => f.close(() => resolve()))));
    await dns.close();
    await ca.cleanup();
    process.exit(0);
  };
  process.on('SIGTERM', () => { void shutdown(); });
  process.on('disconnect', () => { void shutdown(); });
  setTimeout(() => { void shutdown(); }, BENCH_DEADLINE_MS).unref();
  process.send?.({ ready: true, dns: dns.address, caPem: ca.caPem, listeners: fronts.length });
}

/**
 * Diagnostic (`--shared-tls-context`, off by default, never in reported runs unless
 * said): give every client TLS connection of this process one SecureContext, to
 * measure what the crawler spends building one per connection (Node's tls.connect
 * does that when no `secureContext` is passed, as undici's connector and
 * crawler/net/tls-inspect.ts call it).
 */
function shareTlsContext(): void {
  const shared = tls.createSecureContext({ minVersion: 'TLSv1.2' });
  const original = tls.connect;
  tls.connect = ((options: tls.ConnectionOptions, ...rest: unknown[]) =>
    (original as (...a: unknown[]) => tls.TLSSocket)(typeof options === 'object' && options !== null && !options.secureContext ? { ...options, secureContext: shared } : options, ...rest)) as typeof tls.connect;
  syncBuiltinESMExports();
}

/** Role `prober`: N probes, C at a time; sends its measures to the driver. */
async function prober(): Promise<void> {
  if (values['shared-tls-context']) shareTlsContext();
  const { loadCrawlConfig } = await import('../crawler/config.ts');
  const { createNetContext } = await import('../crawler/net/context.ts');
  const { probeMatrix } = await import('../crawler/probe/matrix.ts');
  const { signingKeyFromSeed } = await import('../crawler/protocol/matrix-signing.ts');
  const { signedHeaders } = await import('../crawler/probe/matrix-signed.ts');
  const N = Number(values.servers);
  // The driver's identity (`--sign`): key id and base64 seed, space-separated.
  const [keyId = '', seed = ''] = (process.env['CHATLAS_BENCH_SIGNING_KEY'] ?? '').split(' ');
  const federation = values.sign ? { serverName: BENCH_ORIGIN, key: signingKeyFromSeed(keyId, seed) } : undefined;
  // What one X-Matrix header costs this process, through the probe's own signing path (canonical
  // JSON + ed25519): SIGN_SAMPLES requests like the probe's, timed on the CPU before the run.
  const SIGN_SAMPLES = 2000;
  let signCpuUsPerRequest: number | null = null;
  if (federation) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < SIGN_SAMPLES; k++) {
      const uri = k % 2 === 0 ? `/_matrix/federation/v1/publicRooms?limit=100` : `/_matrix/federation/v1/query/directory?room_alias=${encodeURIComponent(`#r${k % 20}:${nameOf(k)}`)}`;
      signedHeaders(federation, nameOf(k), 'GET', uri);
    }
    const c = process.cpuUsage(c0);
    signCpuUsPerRequest = Number(((c.user + c.system) / SIGN_SAMPLES).toFixed(1));
  }
  const config = loadCrawlConfig({ env: {
    CHATLAS_DNS: process.env['CHATLAS_BENCH_DNS'] ?? '', CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16',
    // Generous deadlines: a loaded machine must show up as slow, not as failed probes.
    CHATLAS_PROBE_TIMEOUT_MS: '600000', CHATLAS_STEP_TIMEOUT_MS: '120000', CHATLAS_HEADERS_TIMEOUT_MS: '120000',
    // DNS keeps the crawler's default deadline (2 s per attempt): under a burst the simulated
    // federation's one UDP socket drops queries, and a dropped query costs one deadline.
    CHATLAS_BODY_TIMEOUT_MS: '120000', CHATLAS_CONNECT_TIMEOUT_MS: '120000',
    ...(values.interval ? { CHATLAS_PER_HOST_INTERVAL_MS: values.interval } : {}),
  } });
  const ctx = createNetContext(config);
  const passId = randomUUID();
  const statuses: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  /** Servers per directory exposure (none / client / federation / both). */
  const directories: Record<string, number> = {};
  let rooms = 0;
  let software = 0;
  let peakRss = 0;
  const rssAt: Record<string, number> = {};
  const heapAt: Record<string, number> = {};
  const externalAt: Record<string, number> = {};
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  const walls: number[] = [];
  const probeOne = async (i: number): Promise<void> => {
    const started = performance.now();
    const r = await probeMatrix(ctx, nameOf(i), { passId, ...(federation ? { federation } : {}) });
    walls.push(performance.now() - started);
    statuses[r.snapshot.status] = (statuses[r.snapshot.status] ?? 0) + 1;
    for (const o of r.observations) outcomes[`${o.step} ${o.outcome}`] = (outcomes[`${o.step} ${o.outcome}`] ?? 0) + 1;
    if (r.snapshot.software === 'synapse') software++;
    rooms += r.rooms.length;
    const exposure = r.snapshot.directory ?? 'none';
    directories[exposure] = (directories[exposure] ?? 0) + 1;
    done++;
    if (done % Math.ceil(N / 10) === 0) {
      const m = process.memoryUsage();
      rssAt[`${done}`] = Math.round(m.rss / 2 ** 20);
      heapAt[`${done}`] = Math.round(m.heapUsed / 2 ** 20);
      externalAt[`${done}`] = Math.round(m.external / 2 ** 20);
      if (process.env['CHATLAS_BENCH_HEAPSNAP'] && done === N / 2) writeHeapSnapshot(process.env['CHATLAS_BENCH_HEAPSNAP']);
    }
  };
  await runQueued(N, C, probeOne);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  await ctx.close();
  // What stays after the crawl: idle sockets closed, a full GC (tells retained memory from garbage not yet collected).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  walls.sort((a, b) => a - b);
  const pct = (q: number): number => Math.round(walls[Math.min(walls.length - 1, Math.floor(q * walls.length))] ?? 0);
  process.send?.({
    servers: N, concurrency: C, identity: federation !== undefined, signCpuUsPerRequest, directories, perHostIntervalMs: config.perHostIntervalMs, probeWallMs: { p50: pct(0.5), p90: pct(0.9), max: pct(1) }, statuses, synapseIdentified: software, rooms, wallMs: Math.round(wallMs),
    cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000),
    cpuMsPerServer: Number(((cpu.user + cpu.system) / 1000 / N).toFixed(2)),
    peakRssMiB: Math.round(peakRss / 2 ** 20), rssMiBAtProgress: rssAt, heapUsedMiBAtProgress: heapAt, externalMiBAtProgress: externalAt,
    afterCloseAndGc: { rssMiB: Math.round(after.rss / 2 ** 20), heapUsedMiB: Math.round(after.heapUsed / 2 ** 20) },
    cpuBusyOfWall: Number(((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2)), outcomes,
  });
}

/** Ask the federation for its counters. */
function stats(server: ChildProcess): Promise<{ requests: number; signedRequests: number; connections: number; dnsQueries: number; byPath: Record<string, number>; cpuMs: number }> {
  return new Promise((resolve) => { server.once('message', (m) => resolve(m as never)); server.send('stats'); });
}

/** Per size: the runs without and with the identity side by side (median, min and max of the repeats). */
function compareModes(runs: readonly (Record<string, unknown> & { servers: number; identity: boolean })[]): Record<string, unknown>[] {
  const spread = (xs: number[]): { median: number; min: number; max: number } => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { median: Number(median.toFixed(3)), min: sorted[0]!, max: sorted.at(-1)! };
  };
  const of = (n: number, signed: boolean, key: string) => spread(runs.filter((r) => r.servers === n && r.identity === signed).map((r) => r[key] as number));
  return [...new Set(runs.map((r) => r.servers))].map((n) => {
    const byPath = (signed: boolean) => runs.find((r) => r.servers === n && r.identity === signed)?.['requestsPerServerByPath'] as Record<string, number>;
    const [without, withId] = [byPath(false), byPath(true)];
    const extraByPath = Object.fromEntries([...new Set([...Object.keys(without), ...Object.keys(withId)])]
      .map((p) => [p, Number(((withId[p] ?? 0) - (without[p] ?? 0)).toFixed(3))]).filter(([, d]) => d !== 0));
    const cpu = of(n, true, 'cpuMsPerServer');
    const signing = of(n, true, 'signingCpuMsPerServer');
    return {
      servers: n,
      cpuMsPerServer: { withoutIdentity: of(n, false, 'cpuMsPerServer'), withIdentity: cpu },
      signingCpuMsPerServer: signing, signingShareOfProberCpu: Number((signing.median / cpu.median).toFixed(4)),
      ratio: { withoutIdentity: of(n, false, 'ratio'), withIdentity: of(n, true, 'ratio') },
      wallMs: { withoutIdentity: of(n, false, 'wallMs'), withIdentity: of(n, true, 'wallMs') },
      floorMs: { withoutIdentity: of(n, false, 'floorMs').median, withIdentity: of(n, true, 'floorMs').median },
      requestsPerServer: { withoutIdentity: of(n, false, 'requestsPerServer').median, withIdentity: of(n, true, 'requestsPerServer').median },
      extraRequestsPerServerByPath: extraByPath,
      federationCpuMsPerServer: { withoutIdentity: of(n, false, 'federationCpuMsPerServer'), withIdentity: of(n, true, 'federationCpuMsPerServer') },
    };
  });
}

/** Role `driver`: the federation once, then one prober per size; the bound and the report. */
async function driver(): Promise<void> {
  const self = new URL(import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-bench-matrix-'));
  const t0 = performance.now();
  // The identity of `--sign`: the federation trusts its public key, the signing probers get its seed.
  const identity = values.sign ? generateSigningKey() : null;
  const trusted = identity ? { [BENCH_ORIGIN]: identity.publicKey } : {};
  const server = fork(self, process.argv.slice(2), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, CHATLAS_BENCH_ROLE: 'federation', CHATLAS_BENCH_TRUSTED: JSON.stringify(trusted) } });
  const children: ChildProcess[] = [server];
  const hardStop = setTimeout(() => {
    console.error(`bench: still running after ${BENCH_DEADLINE_MS / 60_000} min, stopping`);
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(2);
  }, BENCH_DEADLINE_MS);
  try {
    const ready = await new Promise<{ dns: string; caPem: string; listeners: number }>((resolve, reject) => {
      server.once('message', (m) => resolve(m as never));
      server.once('exit', (code) => reject(new Error(`federation exited ${code}`)));
    });
    const setupMs = Math.round(performance.now() - t0);
    console.error(`federation ready: ${ready.listeners} homeservers in ${setupMs} ms`);
    writeFileSync(join(dir, 'ca.pem'), ready.caPem);
    /** One prober process; returns its measures and the federation's counters over its run. */
    const runProber = async (n: number, concurrency: number, signed: boolean): Promise<{ measured: Record<string, unknown>; before: Awaited<ReturnType<typeof stats>>; after: Awaited<ReturnType<typeof stats>> }> => {
      const before = await stats(server);
      const execArgv = ['--expose-gc', ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [])];
      // parseArgs: the last --servers / --concurrency / --sign or --no-sign wins.
      const child = fork(self, [...process.argv.slice(2), '--servers', String(n), '--concurrency', String(concurrency), signed ? '--sign' : '--no-sign'], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv,
        env: {
          ...process.env, CHATLAS_BENCH_ROLE: 'prober', CHATLAS_BENCH_DNS: ready.dns, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
          ...(signed && identity ? { CHATLAS_BENCH_SIGNING_KEY: `${identity.keyId} ${identity.seed.toString('base64')}` } : {}),
        },
      });
      children.push(child);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const measured = await new Promise<Record<string, unknown>>((resolve, reject) => {
        child.once('message', (m) => resolve(m as Record<string, unknown>));
        child.once('exit', (code) => reject(new Error(`prober exited ${code}`)));
      });
      await exited;
      return { measured, before, after: await stats(server) };
    };

    // Calibration: the latency floor of one probe, servers probed one at a time. The probe runs
    // independent requests in parallel (two per host), so counting every request as sequential
    // would overstate the bound; the measured critical path is the honest per-server floor. With
    // an identity the probe does more in sequence (signed alias queries), so each mode has its own.
    const calibrations = new Map<boolean, Record<string, unknown> & { floorMs: number }>();
    for (const signed of MODES) {
      const calibration = await runProber(CALIBRATION_SERVERS, 1, signed);
      const floorMs = (calibration.measured['probeWallMs'] as { p50: number }).p50;
      calibrations.set(signed, {
        servers: CALIBRATION_SERVERS, concurrency: 1, identity: signed, probeWallMs: calibration.measured['probeWallMs'], floorMs, floorRtts: Number((floorMs / RTT).toFixed(2)),
        requestsPerServer: (calibration.after.requests - calibration.before.requests) / CALIBRATION_SERVERS,
        signedRequestsPerServer: (calibration.after.signedRequests - calibration.before.signedRequests) / CALIBRATION_SERVERS,
        connectionsPerServer: (calibration.after.connections - calibration.before.connections) / CALIBRATION_SERVERS,
      });
      console.error(`calibration${signed ? ' (identity)' : ''}: one probe alone takes ${floorMs} ms (p50 of ${CALIBRATION_SERVERS}) = ${(floorMs / RTT).toFixed(1)} RTT`);
    }
    const runs: (Record<string, unknown> & { servers: number; identity: boolean; boundMs: number; ratio: number })[] = [];
    for (const n of SIZES) {
      for (let r = 1; r <= REPEAT; r++) {
        // Alternating modes within a repeat: load from other work on the machine falls on both.
        for (const signed of MODES) {
          const floorMs = calibrations.get(signed)!.floorMs;
          const loadAverageBefore = loadavg().map((x) => Number(x.toFixed(2)));
          const { measured, before, after } = await runProber(n, C, signed);
          const requestsPerServer = (after.requests - before.requests) / n;
          const connectionsPerServer = (after.connections - before.connections) / n;
          const boundMs = (floorMs * n) / Math.min(C, n);
          const byPath = Object.fromEntries(Object.entries(after.byPath).map(([p, k]) => [p, Number(((k - (before.byPath[p] ?? 0)) / n).toFixed(3))]));
          const signedRequestsPerServer = (after.signedRequests - before.signedRequests) / n;
          const signUs = measured['signCpuUsPerRequest'] as number | null;
          const run: Record<string, unknown> & { servers: number; identity: boolean; boundMs: number; ratio: number; signingCpuMsPerServer: number; federationCpuMsPerServer: number; loadAverageAfter: number[] } = {
            ...measured, servers: n, identity: signed, repeat: r, loadAverageBefore, loadAverageAfter: loadavg().map((x) => Number(x.toFixed(2))),
            requestsPerServer, signedRequestsPerServer, connectionsPerServer,
            // The prober's CPU spent on X-Matrix headers: signatures per server × the measured cost of one.
            signingCpuMsPerServer: signUs === null ? 0 : Number(((signedRequestsPerServer * signUs) / 1000).toFixed(3)),
            // Every request and connection counted as if sequential: an upper estimate of the floor.
            roundTripsIfAllSequential: requestsPerServer + CONNECT_RTTS * connectionsPerServer,
            federationCpuMsPerServer: Number(((after.cpuMs - before.cpuMs) / n).toFixed(2)),
            dnsQueriesPerServer: (after.dnsQueries - before.dnsQueries) / n, requestsPerServerByPath: byPath,
            floorMs, boundMs: Math.round(boundMs), ratio: Number(((measured['wallMs'] as number) / boundMs).toFixed(2)),
          };
          console.error(`N=${n}${signed ? ' identity' : ''} #${r}: wall ${run['wallMs'] as number} ms, bound ${run.boundMs} ms, ratio ${run.ratio}, peak RSS ${run['peakRssMiB'] as number} MiB, CPU ${run['cpuMsPerServer'] as number} ms/server (signing ${run.signingCpuMsPerServer}; +${run.federationCpuMsPerServer} simulated servers), ${requestsPerServer} requests/server, load ${loadAverageBefore[0]} → ${run.loadAverageAfter[0]}`);
          runs.push(run);
        }
      }
    }
    const result = {
      benchmark: 'matrix-probe', date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))), fdLimit: fdLimit() },
      calibration: calibrations.get(false),
      ...(values.sign ? { calibrationWithIdentity: calibrations.get(true), comparison: compareModes(runs) } : {}),
      config: { sharedTlsContext: values['shared-tls-context'], sign: values.sign, repeat: REPEAT, identityOrigin: values.sign ? BENCH_ORIGIN : null, sizes: SIZES, concurrency: C, rttMs: RTT, connectRtts: CONNECT_RTTS, addresses: ADDRESSES === MAX_N ? `${addressOf(0)} … ${addressOf(MAX_N - 1)} (one per homeserver)` : `${addressOf(0)} … ${addressOf(ADDRESSES - 1)} (${ADDRESSES}; homeserver i on address i mod ${ADDRESSES})`, store: 'none (results counted and dropped)', federationSetupMs: setupMs },
      runs,
    };
    console.log(JSON.stringify(result, null, 2));
    if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    clearTimeout(hardStop);
    server.kill('SIGTERM');
    await new Promise((resolve) => { if (server.exitCode !== null) resolve(null); else server.once('exit', resolve); });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (role === 'federation') await federation();
else if (role === 'prober') { await prober(); process.exit(0); }
else { await driver(); process.exit(0); }
