/**
 * The request budget in the network layer (issue 12 item 2): a fake HTTPS
 * server on 127.10.9.1 counts what reaches it. Past a server's budget nothing
 * more is sent (the fake server sees exactly the budget), redirect hops and
 * connections count, and a 429 with Retry-After lowers that server's budget.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../../../sim/dns-server.ts';
import { createTestCa, type TestCa } from '../../../../sim/test-ca.ts';
import { json, redirect, startFakeServer, type FakeServer } from '../../../../sim/fake-https.ts';
import { loadCrawlConfig } from '../../../../crawler/config.ts';
import { createNetContext, type NetContext } from '../../../../crawler/net/context.ts';
import { fetchBounded } from '../../../../crawler/net/http.ts';
import { RequestBudget } from '../../../../crawler/net/request-budget.ts';
import { ProbeError } from '../../../../crawler/errors.ts';

let dns: DnsServer;
let ca: TestCa;
let site: FakeServer;
let ctx: NetContext;
let t = Date.UTC(2026, 2, 2, 12);
const budget = new RequestBudget({ dailyLimit: 5, now: () => t });

before(async () => {
  ca = await createTestCa();
  site = await startFakeServer({ host: '127.10.9.1', tls: await ca.issue(['budget.test']) });
  site.routes.set('/ok', json({ ok: true }));
  site.routes.set('/hop', redirect('/ok'));
  site.routes.set('/busy', json({ errcode: 'M_LIMIT_EXCEEDED' }, 429, { 'retry-after': '30' }));
  dns = await startDnsServer({ host: '127.10.9.53', zones: { 'budget.test': { A: ['127.10.9.1'] } } });
  ctx = createNetContext(loadCrawlConfig(
    { env: { CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_PER_HOST_INTERVAL_MS: '0' } },
    { extraCaPems: [ca.caPem] },
  ), { budget });
});

after(async () => {
  await ctx?.close();
  await site?.close();
  await dns?.close();
  await ca?.cleanup();
});

const exhausted = (e: unknown) => e instanceof ProbeError && e.code === 'policy.budget-exhausted';

test('past the budget nothing is sent: the server sees exactly the budget, redirect hops and connections included', async () => {
  const scope = ctx.budget.scope('matrix:budget.test');
  const ticket = scope.ticket('liveness');
  await fetchBounded(ctx, `https://budget.test:${site.port}/ok`, { budget: ticket });
  await fetchBounded(ctx, `https://budget.test:${site.port}/hop`, { budget: ticket });
  const socket = await ctx.connect({ host: 'budget.test', port: site.port, budget: ticket });
  socket.destroy();
  assert.equal(scope.sent, 4, 'one request, a redirect and its hop, one connection');
  await fetchBounded(ctx, `https://budget.test:${site.port}/ok`, { budget: ticket });
  const before = site.requests.length;
  const connections = site.connections;
  await assert.rejects(fetchBounded(ctx, `https://budget.test:${site.port}/ok`, { budget: ticket }), exhausted);
  await assert.rejects(ctx.connect({ host: 'budget.test', port: site.port, budget: ticket }), exhausted);
  assert.equal(site.requests.length, before, 'the refused request never reached the server');
  assert.equal(site.connections, connections, 'nor did the refused connection');
  assert.equal(site.requests.length, 4);
  assert.equal(ctx.budget.used('matrix:budget.test'), 5);
  // Another server's budget is its own; the day after, the first one may be asked again.
  await fetchBounded(ctx, `https://budget.test:${site.port}/ok`, { budget: ctx.budget.scope('xmpp:budget.test').ticket('setup') });
  t += 25 * 3_600_000;
  await fetchBounded(ctx, `https://budget.test:${site.port}/ok`, { budget: ctx.budget.scope('matrix:budget.test').ticket('liveness') });
});

test('a 429 with Retry-After lowers the budget of the server it was about', async () => {
  const own = createNetContext(ctx.config, { budget: new RequestBudget({ dailyLimit: 720, now: () => t }) });
  try {
    const server = 'matrix:busy.test';
    const res = await fetchBounded(own, `https://budget.test:${site.port}/busy`, { budget: own.budget.scope(server).ticket('liveness') });
    assert.equal(res.status, 429);
    assert.equal(own.budget.limit(server), 360);
    assert.equal(own.budget.limit('matrix:budget.test'), 720, 'other servers keep theirs');
  } finally {
    await own.close();
  }
});
