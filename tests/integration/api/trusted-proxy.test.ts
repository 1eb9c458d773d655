/**
 * CHATLAS_TRUSTED_PROXIES through the real HTTP server (jobs/serve/server.ts):
 * requests come from their own loopback source addresses (127.60.5.x), so
 * the TCP peer is real. Two clients behind a trusted proxy get separate
 * rate-limit buckets; a client that is not a trusted proxy cannot choose its
 * bucket with a forged X-Forwarded-For.
 *
 * The Astro build is replaced by a stand-in entry that does what
 * @astrojs/node's middleware handler does with its arguments: it builds a
 * Request and calls the route with the `locals` the server passed (Astro
 * hands them to the route as `context.locals`). The route, the limiter and
 * the server are the real ones.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { configureApi, defaultLimiters, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import * as openapi from '../../../site/pages/api/v1/openapi.json.ts';
import { startServer, type RunningServer } from '../../../jobs/serve/server.ts';

const HOST = '127.60.5.1';
const PROXY = '127.60.5.10';
const OTHER_PROXY = '127.60.5.11';
const STRANGER = '127.60.5.20';
const HANDLER = Symbol.for('chatlas.test.trusted-proxy.handler');
const NOW = new Date('2026-01-01T00:00:00Z');

let store: TestStore;
let server: RunningServer;
const dist = mkdtempSync(join(tmpdir(), 'chatlas-trusted-proxy-'));

/** The stand-in for dist/server/entry.mjs: the route under test, called as @astrojs/node calls it. */
async function astroStandIn(req: IncomingMessage, res: ServerResponse, _next: unknown, locals?: object): Promise<void> {
  const request = new Request(`http://${HOST}${req.url}`, { method: req.method ?? 'GET', headers: req.headers as Record<string, string> });
  const response = await openapi.GET({ request, params: {}, locals, clientAddress: req.socket.remoteAddress });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => { headers[name] = value; });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

before(async () => {
  mkdirSync(join(dist, 'server'), { recursive: true });
  mkdirSync(join(dist, 'client'));
  writeFileSync(join(dist, 'server', 'entry.mjs'), `export const handler = (...args) => globalThis[Symbol.for('chatlas.test.trusted-proxy.handler')](...args);\n`);
  (globalThis as Record<symbol, unknown>)[HANDLER] = astroStandIn;
  store = await openTestStore();
  server = await startServer({
    db: store.db, host: HOST, port: 0, distDir: dist, trustedProxies: [PROXY, `${OTHER_PROXY}/32`],
    configure: (db) => configureApi({
      db, ...defaultLimiters(), readLimiter: new RateLimiter({ capacity: 2, refillPerSecond: 0.001 }), cursorKey: randomBytes(32),
      registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } }, now: () => NOW, log: () => {},
    }),
  });
});

after(async () => {
  await server?.close();
  resetApi();
  await store?.cleanup();
  rmSync(dist, { recursive: true, force: true });
  delete (globalThis as Record<symbol, unknown>)[HANDLER];
});

/** GET the OpenAPI document from source address `from`; the status. */
function get(from: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: HOST, port: server.port, path: '/api/v1/openapi.json', localAddress: from, headers, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

test('two clients behind a trusted proxy have separate buckets', async () => {
  const alice = { 'x-forwarded-for': '198.51.100.1' };
  const bob = { 'x-forwarded-for': '198.51.100.2' };
  assert.equal(await get(PROXY, alice), 200);
  assert.equal(await get(PROXY, alice), 200);
  assert.equal(await get(PROXY, alice), 429, 'alice emptied her bucket');
  assert.equal(await get(PROXY, bob), 200, 'bob, behind the same proxy, is not affected');
  assert.equal(await get(PROXY, { 'x-forwarded-for': '198.51.100.2, 127.60.5.11' }), 200, 'bob through two trusted proxies is still bob');
  assert.equal(await get(OTHER_PROXY, bob), 429, 'and his bucket is his wherever he comes through');
  assert.equal(await get(PROXY), 200, 'the proxy itself (no header) has its own bucket');
});

test('a forged X-Forwarded-For from a peer that is not a trusted proxy is ignored', async () => {
  assert.equal(await get(STRANGER, { 'x-forwarded-for': '203.0.113.1' }), 200);
  assert.equal(await get(STRANGER, { 'x-forwarded-for': '203.0.113.2' }), 200);
  assert.equal(await get(STRANGER, { 'x-forwarded-for': '203.0.113.3' }), 429, 'a new forged address does not buy a new bucket');
  assert.equal(await get(PROXY, { 'x-forwarded-for': '203.0.113.4' }), 200, 'the forged addresses were never buckets of their own');
});
