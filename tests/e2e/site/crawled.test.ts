/**
 * The site over a store filled by really crawling the simulated federation
 * (sim/sim-federation.ts on 127.50.0.0/16: DNS, delegation, TLS,
 * several implementations, a down server, an expired certificate, an XSS
 * room name, an HTML software name), served by `startServer` on 127.50.0.1
 * and read in Chromium.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Db } from '../../../db/client.ts';
import { createCrawler, installApi, type Crawler } from '../../../jobs/runtime.ts';
import { startServer, type RunningServer } from '../../../jobs/serve/server.ts';
import { HOSTILE_SOFTWARE_NAME, startSimFederation, XSS_ROOM_NAME, type SimFederation } from '../../../sim/sim-federation.ts';
import { siteWorkspace, chartInk, launchBrowser, type TestBrowser } from './browser.ts';
import { CHATLAS_NOINDEX_MARKER, MRS_NOINDEX_MARKER } from '../../../crawler/protocol/room-opt-out.ts';
import { MIN_SERVERS_PER_NAME } from '../../../db/queries/software/software-group-sql.ts';
import { budgetFacts, cadenceRows } from '../../../site/lib/crawl-etiquette.ts';

const HOST = '127.50.0.1';

let work: string;
let sim: SimFederation;
let db: Db;
let crawler: Crawler;
let server: RunningServer;
let browser: TestBrowser;
let probed = 0;
let crawlDay = '';

before(async () => {
  let built: Promise<string>;
  ({ work, built, db } = await siteWorkspace('crawled'));
  sim = await startSimFederation({ prefix: '127.50' });
  const logger = pino({ level: 'silent' });
  crawler = createCrawler({
    db, logger,
    sources: {
      env: {
        ...sim.crawlEnv, CHATLAS_DENY_NETS: '127.66.0.0/16', CHATLAS_SHIPPED_SEEDS: 'off', CHATLAS_ALLOW_TLDS: 'test',
        // Generous waits: on a loaded CI machine a simulated server must not look down for being slow
        // (down.test still fails at once: nothing listens on its address).
        CHATLAS_CONNECT_TIMEOUT_MS: '8000', CHATLAS_HEADERS_TIMEOUT_MS: '10000', CHATLAS_BODY_TIMEOUT_MS: '10000',
        CHATLAS_STEP_TIMEOUT_MS: '15000', CHATLAS_DNS_TIMEOUT_MS: '5000',
      },
    },
    overrides: { extraCaPems: [sim.caPem] },
    extraSeeds: sim.matrixDomains.map((domain) => ({ domain, protocol: 'matrix' as const, source: 'site e2e' })),
  });
  const summary = await crawler.runPass({ journalDir: join(work, 'journal') });
  probed = summary.probed;
  crawlDay = new Date().toISOString().slice(0, 10);
  server = await startServer({ db, host: HOST, port: 0, distDir: await built, configure: (store) => installApi(store, crawler) });
  browser = await launchBrowser(join(work, 'profile'), HOST);
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  await crawler?.close();
  await db?.close();
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const open = (path: string) => browser.open(`${server.url}${path}`);

describe('site over a crawl of the simulated federation', () => {
  it('shows what the crawl found, as of the day of the crawl, with its coverage', async () => {
    assert.ok(probed >= sim.matrixDomains.length, `crawl probed ${probed}`);
    const { page, status } = await open('/');
    assert.equal(status, 200);
    const coverage = await page.locator('#coverage').innerText();
    assert.match(coverage, new RegExp(`As of ${crawlDay}: ${probed} servers probed`));
    const ink = await chartInk(page);
    assert.ok(ink.length > 0 && ink.every((px) => px > 500), `blank chart: ${ink.join(',')}`);
    await page.close();
  });

  it('lists the crawled servers, and each server page tells its software and health', async () => {
    const { page } = await open('/servers?sort=domain&limit=200');
    const domains = await page.locator('table tbody th a').allInnerTexts();
    for (const d of sim.matrixDomains) assert.ok(domains.includes(d), `${d} missing from ${domains.join(', ')}`);
    await page.close();
    const down = await open('/servers/down.test');
    assert.equal(down.status, 200);
    assert.match(await down.page.locator('.findings').innerText(), /Not reachable at the latest probe/);
    await down.page.close();
    const alpha = await open('/servers/alpha.test');
    assert.match(await alpha.page.locator('.grid').first().innerText(), /Synapse 1\.163\.2/);
    // Issue 12 item 2: what Chatlas sent it in the last day, counted by the network layer and stored per probe.
    const facts = await alpha.page.locator('dl.facts').first().innerText();
    assert.match(facts, /Requests by Chatlas\s+[1-9]\d* in the last 24 hours \(1 probe\)/);
    assert.match(facts, /room directory: \d{4}-/);
    await alpha.page.close();
  });

  it('compares the implementations it identified', async () => {
    const { page } = await open('/software');
    const names = await page.locator('section table tbody th a').allInnerTexts();
    assert.ok(names.includes('Synapse') && names.length >= 3, names.join(', '));
    await page.close();
  });

  it('lists a server whose software name is HTML under "Unrecognised", never as an implementation, and shows the name as text', async () => {
    const software = await open('/software');
    const names = await software.page.locator('section table tbody th').allInnerTexts();
    assert.ok(names.some((n) => n.includes('Unrecognised')), names.join(', '));
    assert.ok(!names.some((n) => /img|onerror|alert/i.test(n)), names.join(', '));
    await software.page.close();
    const { page, status } = await open('/servers/iota.test');
    assert.equal(status, 200);
    assert.match(await page.locator('.grid').first().innerText(), /Unrecognised <b>6\.6\.6<\/b>/);
    assert.ok((await page.locator('.findings').innerText()).includes(`"${HOSTILE_SOFTWARE_NAME}"`));
    // No element came of the payload, so no onerror can ever fire.
    assert.equal(await page.locator('main img, main b').count(), 0, 'the payload made no element');
    assert.deepEqual(browser.dialogs, []);
    await page.close();
  });

  it('/about/data tells moderators both room opt-out markers and how unrecognised names are counted', async () => {
    const { page, status } = await open('/about/data');
    assert.equal(status, 200);
    const optOut = await page.locator('#optout').locator('xpath=..').innerText();
    for (const marker of [MRS_NOINDEX_MARKER, CHATLAS_NOINDEX_MARKER, 'm.federate: false']) assert.ok(optOut.includes(marker), marker);
    assert.match(await page.locator('#software-names').innerText(), new RegExp(`at least ${MIN_SERVERS_PER_NAME} servers`));
    // Issue 12 item 2: the cadence table and the budget, from the constants the schedule uses.
    const rows = await page.locator('#pace').locator('xpath=..').locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, cadenceRows().length);
    for (const [i, r] of cadenceRows().entries()) assert.ok(rows[i]!.includes(r.every) && rows[i]!.includes(r.stalest), `${rows[i]} / ${r.every}`);
    assert.match(await page.locator('#budget').innerText(), new RegExp(`at most ${budgetFacts().daily} requests in any 24 hours`));
    assert.ok(!(await page.locator('main').innerText()).includes('about once a day'), 'the old untrue pace is gone');
    await page.close();
  });

  it('shows the crawled XSS room name as text and runs nothing', async () => {
    const { page } = await open('/rooms?q=script');
    assert.ok((await page.locator('.rooms .name').allInnerTexts()).includes(XSS_ROOM_NAME));
    assert.equal(await page.locator('.rooms script').count(), 0);
    await page.waitForTimeout(200);
    assert.deepEqual(browser.dialogs, []);
    await page.close();
  });

  it('kept the browser on the site address without errors', () => {
    assert.deepEqual(browser.offHost, []);
    assert.deepEqual(browser.consoleErrors, []);
  });
});
