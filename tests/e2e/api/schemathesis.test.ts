/**
 * Fuzz the API from its own OpenAPI document with schemathesis (PyPI), through
 * the real Astro build: `astro build` into a temp folder, its middleware
 * handler behind node:http on 127.60.0.1, a small filled chdb store, and the
 * ownership checks wired to our DNS server on 127.60.0.53 (every lookup stays
 * on loopback; unknown names are NXDOMAIN).
 *
 * Asserts: no 5xx, every response matches its documented status, media type
 * and schema. Needs the venv: python3 -m venv /opt/chatlas-schemathesis &&
 * /opt/chatlas-schemathesis/bin/pip install schemathesis
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { startDnsServer, type DnsServer } from '../../harness/dns-server.ts';
import { fillStore } from '../../integration/api/fill-store.ts';
import { setStore } from '../../../site/lib/store.ts';
import { configureApi, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { loadCrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../crawler/net/context.ts';
import { createOwnershipNet } from '../../../jobs/registration/ownership-net.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const ST = '/opt/chatlas-schemathesis/bin/st';
const HOST = '127.60.0.1';
const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

let store: TestStore;
let dns: DnsServer;
let ctx: NetContext;
let server: http.Server;
let outDir: string;
let origin: string;

/** Run a command with a deadline; resolves with its exit code and output. */
function run(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

before(async () => {
  // Inside node_modules/.cache (ignored by git) so the bundle resolves the project's packages.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  outDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'chatlas-api-e2e-'));
  const build = await run(process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--outDir', outDir], 180_000, { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' });
  assert.equal(build.code, 0, build.output.slice(-3000));

  store = await openTestStore();
  await fillStore(store.db);
  setStore(store.db);
  dns = await startDnsServer({ host: '127.60.0.53' });
  ctx = createNetContext(loadCrawlConfig({ env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_DNS_TIMEOUT_MS: '300', CHATLAS_DNS_ATTEMPTS: '1' } }));
  configureApi({
    db: store.db,
    // Generous buckets: the fuzzer should reach the handlers, not the limiter (429 is documented anyway).
    readLimiter: new RateLimiter({ capacity: 100_000, refillPerSecond: 1000 }),
    writeLimiter: new RateLimiter({ capacity: 100_000, refillPerSecond: 1000 }),
    cursorKey: randomBytes(32),
    registration: { net: createOwnershipNet(ctx), maxPendingPerClient: 100_000, maxPendingPerDomain: 100_000, verifyTimeoutMs: 2000 },
    now: () => new Date(),
  });

  const { handler } = await import(pathToFileURL(join(outDir, 'server', 'entry.mjs')).href) as { handler: (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void };
  server = http.createServer((req, res) => {
    // What the server entry must do too: the Fetch API cannot represent TRACE, TRACK or CONNECT
    // (new Request throws), so Astro's adapter would answer 500; refuse them with 405 first.
    if (!ALLOWED_METHODS.has(req.method ?? '')) {
      res.writeHead(405, { allow: 'GET, HEAD, POST, PATCH, OPTIONS', 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    handler(req, res, () => { res.statusCode = 404; res.end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  origin = `http://${HOST}:${typeof address === 'object' && address ? address.port : 0}`;
});

after(async () => {
  resetApi();
  setStore(undefined);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await ctx?.close();
  await dns?.close();
  await store?.cleanup();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

test('schemathesis finds no 5xx and no response outside the OpenAPI document', async (t) => {
  const result = await run(ST, [
    'run', `${origin}/api/v1/openapi.json`, '--url', origin,
    '--checks', 'not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance',
    '--max-examples', '20', '--seed', '7', '--workers', '1', '--request-timeout', '20',
    '--generation-database', 'none', '--no-color', '--warnings', 'off', '--phases', 'examples,coverage,fuzzing',
    // The shared domain pattern (site/lib/params.ts) has a length lookahead that hypothesis filters a lot; not a defect.
    '--suppress-health-check', 'filter_too_much',
  ], 540_000, { ...process.env, SCHEMATHESIS_TELEMETRY: 'false', NO_COLOR: '1' });
  assert.equal(result.code, 0, result.output.slice(-8000));
  const summary = result.output.slice(result.output.indexOf('SUMMARY'));
  for (const line of summary.split('\n').filter((l) => /Tested|generated|passed|Seed/.test(l))) t.diagnostic(line.trim());
  // The run really exercised the API (not an empty schema).
  assert.match(result.output, /13 (operations|selected)|13\/13|Operations:\s+13/i, result.output.slice(-3000));
});
