/**
 * A server's lowered request budget survives a restart (issue 12): a 429 with Retry-After and a
 * robots.txt Crawl-delay seen by the real Matrix probe in one pass (one NetContext, one
 * RequestBudget) are stored with its snapshot (migration 0019), and a pass planned from the
 * store in a new NetContext, as after `chatlas crawl`/`serve` restarts or in another shard's
 * process, starts with the same lowered budget; a week later it is forgotten, from the store as
 * in memory. Simulated homeservers on 127.41.0.0/16, a real chdb store, an injected clock.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer } from '../../../sim/dns-server.ts';
import { json, text } from '../../../sim/fake-https.ts';
import { createTestCa, type TestCa } from '../../../sim/test-ca.ts';
import { matrixApiRoutes, startHomeserver, type FakeHomeserver } from '../../../sim/matrix-federation.ts';
import { openTestStore, rows, type TestStore } from '../../harness/store.ts';
import { loadCrawlConfig, type CrawlConfig } from '../../../crawler/config.ts';
import { createNetContext, probeDomain, type NetContext } from '../../../crawler/index.ts';
import { RequestBudget } from '../../../crawler/net/request-budget.ts';
import { DEFAULT_DAILY_REQUEST_BUDGET } from '../../../crawler/policy/cadence.ts';
import { DEFAULT_RESERVED_TLDS } from '../../../crawler/discover/domain-name.ts';
import { runCrawlPass, type ProbeFn } from '../../../jobs/crawl/crawl.ts';
import { planPass } from '../../../jobs/crawl/plan-pass.ts';

const normalise = { reservedTlds: DEFAULT_RESERVED_TLDS.filter((t) => t !== 'test') };
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 12);
const FULL = DEFAULT_DAILY_REQUEST_BUDGET;
const seeds = ['limited.pace.test', 'delayed.pace.test'].map((domain) => ({ domain, protocol: 'matrix' as const, source: 'test' }));
const LIMITED = 'matrix:limited.pace.test';
const DELAYED = 'matrix:delayed.pace.test';

let store: TestStore;
let dns: DnsServer;
let ca: TestCa;
let config: CrawlConfig;
const hosts: FakeHomeserver[] = [];
/** Whether the servers still ask us to slow down (the second pass: no more, so only the store can lower the budget). */
let asking = true;

before(async () => {
  store = await openTestStore();
  ca = await createTestCa();
  dns = await startDnsServer({ host: '127.41.0.53', zones: { 'limited.pace.test': { A: ['127.41.0.1'] }, 'delayed.pace.test': { A: ['127.41.0.2'] } } });
  const api = (serverName: string) => matrixApiRoutes({ serverName });
  hosts.push(await startHomeserver(ca, '127.41.0.1', ['limited.pace.test'], {
    8448: {
      ...api('limited.pace.test'),
      '/_matrix/client/v3/publicRooms': (req, res) => (asking
        ? json({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests' }, 429, { 'retry-after': '120' })
        : json({ chunk: [] }))(req, res),
    },
  }));
  hosts.push(await startHomeserver(ca, '127.41.0.2', ['delayed.pace.test'], {
    8448: { ...api('delayed.pace.test'), '/robots.txt': (req, res) => text(asking ? 'User-agent: *\nCrawl-delay: 600\n' : 'User-agent: *\nDisallow:\n')(req, res) },
  }));
  config = loadCrawlConfig({
    env: {
      CHATLAS_DNS: dns.address, CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_PER_HOST_INTERVAL_MS: '0',
      CHATLAS_STEP_TIMEOUT_MS: '2000', CHATLAS_HEADERS_TIMEOUT_MS: '2000', CHATLAS_BODY_TIMEOUT_MS: '2000', CHATLAS_CONNECT_TIMEOUT_MS: '2000', CHATLAS_DNS_TIMEOUT_MS: '500',
    },
  }, { extraCaPems: [ca.caPem] });
});

after(async () => {
  for (const h of hosts) await h.close();
  await dns?.close();
  await ca?.cleanup();
  await store?.cleanup();
});

/** One pass at `at` in a new process: its own NetContext and budget (clock at `at`), the plan handed to probeDomain as jobs/runtime.ts does. */
async function pass(at: number): Promise<NetContext> {
  const net = createNetContext(config, { budget: new RequestBudget({ dailyLimit: FULL, now: () => at }) });
  const probe: ProbeFn = (domain, protocol, { plan, ...rest }) =>
    probeDomain(net, domain, protocol, { ...rest, ...(plan ? { due: plan.due, requestLog: plan.requestLog, pace: plan.pace, lastRegistration: plan.lastRegistration } : {}) });
  try {
    const summary = await runCrawlPass({ db: store.db, probe, seeds, clock: () => new Date(at) }, { normalise, schedule: { jitter: 0 }, concurrency: 2 });
    assert.equal(summary.probed, 2, 'both servers are probed');
  } finally {
    await net.close();
  }
  return net;
}

test('a 429 with Retry-After and a Crawl-delay seen in one pass lower the budget of a pass planned from the store in a new process, for a week', async () => {
  const first = await pass(T0);
  assert.equal(first.budget.limit(LIMITED), FULL / 2, 'the process that saw the 429 halved the budget');
  assert.equal(first.budget.limit(DELAYED), 144, 'and capped it at 86,400 / 600 for the Crawl-delay');
  const stored = await rows<{ domain: string; rate_limited: number; crawl_delay: number }>(store.db,
    `SELECT domain, rate_limited, crawl_delay FROM server_snapshots ORDER BY domain`);
  assert.deepEqual(stored.map((r) => [r.domain, Number(r.rate_limited), Number(r.crawl_delay)]), [['delayed.pace.test', 0, 600], ['limited.pace.test', 1, 0]]);

  // A day later, in a new process: the servers no longer ask, so only the store can lower the budget.
  asking = false;
  const plan = await planPass(store.db, { asOf: new Date(T0 + DAY), shard: { index: 1, count: 1 }, seeds, normalise });
  assert.deepEqual(Object.fromEntries(plan.items.map((i) => [i.domain, i.pace])), {
    'limited.pace.test': { rateLimitedAt: T0 },
    'delayed.pace.test': { crawlDelaySeconds: 600, crawlDelayAt: T0 },
  });
  const restarted = await pass(T0 + DAY);
  assert.equal(restarted.budget.limit(LIMITED), FULL / 2, 'still halved after the restart');
  assert.equal(restarted.budget.limit(DELAYED), 144, 'still capped after the restart');
  const none = createNetContext(config, { budget: new RequestBudget({ dailyLimit: FULL, now: () => T0 + DAY }) });
  await none.close();
  assert.equal(none.budget.limit(LIMITED), FULL, 'a new context the plan did not seed has the full budget: the store is what lowered it');

  // A week after the 429 and the last Crawl-delay: forgotten from the store too.
  const later = await pass(T0 + 7 * DAY);
  assert.equal(later.budget.limit(LIMITED), FULL);
  assert.equal(later.budget.limit(DELAYED), FULL);
});
