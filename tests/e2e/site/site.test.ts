/**
 * The site in a real headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core) against `startServer` on 127.50.0.1, over a store filled
 * with the synthetic network plus hand-made hostile and hidden rooms.
 * Every request the browser makes must go to that address.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createDb, type Db } from '../../../db/client.ts';
import { migrate } from '../../../db/migrate.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { startServer, type RunningServer } from '../../../jobs/server.ts';
import { syntheticNetwork } from '../../harness/synthetic.ts';
import { result, room, snap, register } from '../../integration/db/queries/store.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const HOST = '127.50.0.1';
const XSS = '<script>alert(1)</script>';

let work: string;
let db: Db;
let server: RunningServer;
let context: BrowserContext;
const offHost: string[] = [];
const dialogs: string[] = [];
const consoleErrors: string[] = [];

/** Build the site into a private folder, so a build by someone else cannot change it under the test. */
async function buildSite(outDir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--outDir', outDir, '--silent'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      code === 0 ? resolve() : reject(new Error(`astro build failed (${code}): ${err.slice(0, 2000)}`));
    });
  });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'chatlas-e2e-site-'));
  // The bundle imports its dependencies by package name: resolve them from the repo.
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  const built = buildSite(join(work, 'dist'));
  mkdirSync(join(work, 'store'));
  db = await createDb({ dataDir: join(work, 'store'), url: undefined, user: 'default', password: '', database: 'chatlas', cluster: undefined });
  await migrate(db);
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
  await built;
  server = await startServer({ db, host: HOST, port: 0, distDir: join(work, 'dist') });
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  // Nothing may leave the site's address: record and abort anything else.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === HOST || url.protocol === 'data:') return route.continue();
    offHost.push(url.href);
    return route.abort();
  });
  context.on('page', (p) => watch(p));
});

after(async () => {
  await context?.close();
  await server?.close();
  await db?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function watch(page: Page): void {
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
}

async function open(path: string): Promise<{ page: Page; status: number }> {
  const page = await context.newPage();
  const res = await page.goto(`${server.url}${path}`, { waitUntil: 'load', timeout: 30_000 });
  return { page, status: res?.status() ?? 0 };
}

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
    for (const path of ['/', '/?range=90d', '/?range=all', '/software', '/software/synapse', '/servers', serverPath, '/rooms', '/about/data']) {
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
    const canvases = page.locator('canvas[data-chart]');
    const n = await canvases.count();
    assert.ok(n >= 8, `expected the overview charts, found ${n}`);
    await page.waitForFunction((count) => document.querySelectorAll('canvas[data-drawn="true"]').length === count, n, { timeout: 15_000 });
    const painted = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')).map((c) => {
      const ctx = c.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
      return inked;
    }));
    assert.ok(painted.every((px) => px > 500), `blank canvas: ${painted.join(',')}`);
    assert.match(await page.locator('#coverage').innerText(), /servers probed between .* UTC/);
    // Tall enough to show the headline numbers and the first charts.
    await page.setViewportSize({ width: 1280, height: 1700 });
    await page.waitForFunction(() => Array.from(document.querySelectorAll('canvas')).every((c) => c.width > 0));
    await page.screenshot({ path: join(ROOT, 'docs/screenshot-overview.png'), fullPage: false });
    await page.close();
  });

  it('shows a hostile room name as text and runs nothing', async () => {
    const { page } = await open(`/rooms?q=${encodeURIComponent('<script>')}`);
    const names = await page.locator('.rooms .name').allInnerTexts();
    assert.deepEqual(names, [XSS]);
    assert.match(await page.locator('.rooms .topic').innerText(), /<img src=x onerror=alert\(2\)>/);
    assert.equal(await page.locator('.rooms script, .rooms img').count(), 0);
    await page.waitForTimeout(200);
    assert.deepEqual(dialogs, []);
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

  it('made no request off the site address and logged no errors', () => {
    assert.deepEqual(offHost, []);
    // The 404 test's own page logs its status; anything else is a failure (a CSP violation, a script error).
    assert.deepEqual(consoleErrors.filter((e) => !e.includes('/servers/no-such-server.test: Failed to load resource: the server responded with a status of 404')), []);
  });
});
