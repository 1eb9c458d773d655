/**
 * The site in a real headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core) against `startServer` on 127.50.0.1, over a store filled
 * with the synthetic network plus hand-made hostile and hidden rooms.
 * Every request the browser makes must go to that address.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../../db/client.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { startServer, type RunningServer } from '../../../jobs/serve/server.ts';
import { syntheticNetwork } from '../../harness/synthetic.ts';
import { result, room, snap, register } from '../../integration/db/queries/store.ts';
import { siteWorkspace, chartInk, launchBrowser, ROOT, type TestBrowser } from './browser.ts';
import { request } from 'node:http';
import { Counter, Registry } from 'prom-client';

const HOST = '127.50.0.1';
const XSS = '<script>alert(1)</script>';

let work: string;
let db: Db;
let server: RunningServer;
let browser: TestBrowser;

before(async () => {
  let built: Promise<string>;
  ({ work, built, db } = await siteWorkspace('site'));
  for (const batch of syntheticNetwork({ servers: 60, days: 35, roomsPerServer: 4, seed: 6 })) await insertProbeResults(db, batch);
  // Hostile and hidden rooms, listed in the latest pass of their servers.
  const now = new Date();
  const evil = snap('evil.test', 'matrix', now.toISOString());
  const hid = snap('admin.test', 'matrix', now.toISOString());
  await insertProbeResults(db, [
    result(evil, [room(evil, 'xss', { name: XSS, topic: '<img src=x onerror=alert(2)> "quoted" & more', members: 4 })]),
    result(hid, [room(hid, 'public', { name: 'Admin Public Zebra', members: 5 }), room(hid, 'secret', { name: 'Admin Secret Zebra', members: 6 })]),
  ]);
  await register(db, { domain: 'admin.test', state: 'verified', hidden_rooms: ['!secret:admin.test'] });
  // Ranking (issue 14): a small room named after the words and a big one that only mentions them; a
  // Matrix room whose only language is the one its topic is written in.
  const rank = snap('rank.test', 'matrix', now.toISOString());
  await insertProbeResults(db, [result(rank, [
    room(rank, 'rust-community', { name: 'Rust Community', topic: 'For Rustaceans', members: 28, language: '' }),
    room(rank, 'programming', { name: 'Programming', topic: 'Any language: rust, go; a community for all', members: 18_644, language: '' }),
    room(rank, 'stammtisch', { name: 'Stammtisch', topic: 'Willkommen in diesem Raum, hier können alle ihre Fragen stellen', members: 7, language: '' }),
  ])]);
  const metrics = new Registry();
  new Counter({ name: 'chatlas_site_test_total', help: 'a metric the test looks for', registers: [metrics] }).inc(3);
  server = await startServer({ db, host: HOST, port: 0, distDir: await built, metrics });
  browser = await launchBrowser(join(work, 'profile'), HOST);
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  await db?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const open = (path: string) => browser.open(`${server.url}${path}`);

/** A known server of the synthetic network, taken from the list page itself. */
async function someServer(): Promise<string> {
  const { page } = await open('/servers?protocol=matrix&sort=members');
  const href = await page.locator('table tbody th a').first().getAttribute('href');
  await page.close();
  assert.ok(href?.startsWith('/servers/'));
  return href!;
}

describe('site in Chromium', () => {
  it('renders every page with a heading and landmarks', async () => {
    const serverPath = await someServer();
    for (const path of ['/', '/?range=90d', '/?range=all', '/software', '/software/synapse', '/servers', serverPath, '/rooms', '/choose', '/about/data']) {
      const { page, status } = await open(path);
      assert.equal(status, 200, path);
      assert.equal(await page.locator('h1').count(), 1, path);
      assert.equal(await page.locator('main#main').count(), 1, path);
      assert.equal(await page.locator('nav[aria-label="Main"]').count(), 1, path);
      await page.close();
    }
  });

  it('draws the overview charts on non-blank canvases and saves the screenshot', async () => {
    const { page } = await open('/');
    const painted = await chartInk(page);
    assert.ok(painted.length >= 8, `expected the overview charts, found ${painted.length}`);
    assert.ok(painted.every((px) => px > 500), `blank canvas: ${painted.join(',')}`);
    assert.match(await page.locator('#coverage').innerText(), /servers probed between .* UTC/);
    // Tall enough to show the headline numbers and the first charts.
    await page.setViewportSize({ width: 1280, height: 1700 });
    await page.waitForFunction(() => Array.from(document.querySelectorAll('canvas')).every((c) => c.width > 0));
    // The README's picture: refreshed with CHATLAS_UPDATE_SCREENSHOT=1, so a plain test run leaves the tree clean.
    const shot = process.env.CHATLAS_UPDATE_SCREENSHOT === '1' ? join(ROOT, 'docs/screenshot-overview.png') : join(work, 'overview.png');
    await page.screenshot({ path: shot, fullPage: false });
    await page.close();
  });

  it('shows a hostile room name as text and runs nothing', async () => {
    const { page } = await open(`/rooms?q=${encodeURIComponent('<script>')}`);
    const names = await page.locator('.rooms .name').allInnerTexts();
    assert.deepEqual(names, [XSS]);
    assert.match(await page.locator('.rooms .topic').innerText(), /<img src=x onerror=alert\(2\)>/);
    assert.equal(await page.locator('.rooms script, .rooms img').count(), 0);
    await page.waitForTimeout(200);
    assert.deepEqual(browser.dialogs, []);
    await page.close();
  });

  it('searches rooms from the form, with a linkable ?q=, and keeps hidden rooms out', async () => {
    const { page } = await open('/rooms');
    await page.getByLabel('Search names, topics and addresses').fill('zebra');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/[?&]q=zebra/);
    assert.deepEqual(await page.locator('.rooms .name').allInnerTexts(), ['Admin Public Zebra']);
    assert.match(await page.locator('#result-count').innerText(), /^1 rooms matching/);
    const join = await page.getByRole('link', { name: 'Join Admin Public Zebra' }).getAttribute('href');
    assert.equal(join, 'https://matrix.to/#/%23public:admin.test');
    await page.close();
  });

  it('ranks a search through the page: the room named after the words first, members as a boost (issue 14)', async () => {
    const { page } = await open('/rooms');
    await page.getByLabel('Search names, topics and addresses').fill('rust comm');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/[?&]q=rust\+comm/);
    assert.deepEqual((await page.locator('.rooms .name').allInnerTexts()).slice(0, 2), ['Rust Community', 'Programming']);
    // Sorting by members instead is still one click away.
    await page.getByLabel('Sort by').selectOption('members');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/sort=members/);
    assert.deepEqual((await page.locator('.rooms .name').allInnerTexts()).slice(0, 2), ['Programming', 'Rust Community']);
    await page.close();
  });

  it('finds a Matrix room by the language of its topic (detected, Matrix has no language field)', async () => {
    const { page } = await open('/rooms?language=de&server=rank.test');
    assert.deepEqual(await page.locator('.rooms .name').allInnerTexts(), ['Stammtisch']);
    await page.close();
  });

  it('filters and sorts rooms', async () => {
    const { page } = await open('/rooms?protocol=xmpp&sort=members');
    const chips = await page.locator('.rooms .addr span.chip:first-of-type').allInnerTexts();
    assert.ok(chips.length > 0 && chips.every((c) => c === 'XMPP'));
    const members = (await page.locator('.rooms .members strong').allInnerTexts()).map((t) => Number(t.replaceAll(',', '')));
    assert.deepEqual(members, [...members].sort((a, b) => b - a));
    const next = page.getByRole('link', { name: 'Next page' });
    if (await next.count()) {
      await next.click();
      await page.waitForURL(/page=2/);
      assert.ok((await page.locator('.rooms .name').count()) > 0);
    }
    await page.close();
  });

  it('filters the server list from the form', async () => {
    const { page } = await open('/servers');
    await page.getByLabel('Protocol').selectOption('xmpp');
    await page.getByLabel('Sort by').selectOption('domain');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/protocol=xmpp/);
    const protocols = await page.locator('table tbody th .chip').allInnerTexts();
    assert.ok(protocols.length > 0 && protocols.every((p) => p === 'xmpp'));
    const domains = await page.locator('table tbody th a').allInnerTexts();
    assert.deepEqual(domains, [...domains].sort());
    await page.close();
  });

  it('shows an implementation\'s measured profile beside the others of its protocol, as the API gives it (issue 15 item 4)', async () => {
    const api = await (await fetch(`${server.url}/api/v1/software/synapse`)).json() as { profile: { protocol: string; rows: { software: string; reachable: number; uptime30: { median: number | null; known: number } }[] }[] };
    const matrix = api.profile.find((t) => t.protocol === 'matrix')!;
    const synapse = matrix.rows.find((r) => r.software === 'synapse')!;
    assert.ok(matrix.rows.length >= 2 && synapse.reachable > 0, 'the synthetic network runs several homeservers');

    const { page } = await open('/software/synapse');
    const section = page.locator('section[aria-labelledby="profile"]');
    assert.equal(await section.locator('h2').innerText(), 'Measured profile');
    const health = section.locator('table', { has: page.locator('caption', { hasText: 'Matrix homeservers: servers\' health and upkeep' }) });
    // One row per implementation the API lists, then the protocol overall; Synapse highlighted.
    assert.equal(await health.locator('tbody tr').count(), matrix.rows.length + 1);
    const focus = health.locator('tbody tr[aria-current="true"]');
    assert.match(await focus.locator('th').innerText(), /^Synapse\s*this one$/);
    assert.match(await health.locator('tbody tr').last().locator('th').innerText(), /^All Matrix homeservers$/);
    // The uptime cell: the API's median as the page rounds it, with what it counts.
    const uptime = await focus.locator('td').nth(1).innerText();
    if (synapse.uptime30.median === null) assert.match(uptime, /^unknown/);
    else {
      assert.match(uptime, new RegExp(`^${Math.round(synapse.uptime30.median * 100)}(\\.\\d)?%`));
      assert.match(uptime, new RegExp(`median of ${synapse.uptime30.known} servers? with 7\\+ days measured`));
    }
    assert.equal(await section.locator('caption', { hasText: 'who can sign up' }).count(), 1);
    assert.doesNotMatch(await section.innerText(), /NaN|undefined|Infinity/);
    await page.close();

    // The comparison page: the compact table of each protocol, what each number counts in its title.
    const index = await open('/software');
    const compact = index.page.locator('section[aria-labelledby="profiles"]');
    assert.equal(await compact.locator('caption', { hasText: 'health and upkeep' }).count(), 2);
    assert.equal(await compact.locator('caption', { hasText: 'who can sign up' }).count(), 0);
    assert.match(await compact.locator('tbody td[title]').first().getAttribute('title') ?? '', /servers?/);
    await index.page.close();
  });

  it('answers an unknown server with a real 404', async () => {
    const { page, status } = await open('/servers/no-such-server.test');
    assert.equal(status, 404);
    assert.equal(await page.locator('h1').innerText(), 'Not found');
    await page.close();
    const res = await fetch(`${server.url}/no/such/page`);
    assert.equal(res.status, 404);
  });

  it('puts the skip link first for keyboard users', async () => {
    const { page } = await open('/servers');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.close();
  });

  it('serves /metrics from the given registry and static assets with long caching', async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^chatlas_site_test_total 3$/m);
    const { page } = await open('/');
    const css = await page.locator('link[rel="stylesheet"]').first().getAttribute('href');
    await page.close();
    const asset = await fetch(`${server.url}${css}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.match((await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });

  it('never serves files outside dist/client', async () => {
    for (const path of ['/../server/entry.mjs', '/_astro/../../server/entry.mjs', '/..%2fserver%2fentry.mjs', '/%2e%2e/server/entry.mjs']) {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        // node:http sends the path as written (fetch would normalise the dots away).
        const req = request({ host: HOST, port: server.port, path, method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => { body += c.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 404, path);
      assert.doesNotMatch(body, /handler|import /, path);
    }
  });

  it('made no request off the site address and logged no errors', () => {
    assert.deepEqual(browser.offHost, []);
    // The 404 test's own page logs its status; anything else is a failure (a CSP violation, a script error).
    assert.deepEqual(browser.consoleErrors.filter((e) => !e.includes('/servers/no-such-server.test: Failed to load resource: the server responded with a status of 404')), []);
  });
});
