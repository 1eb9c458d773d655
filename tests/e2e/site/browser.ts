/**
 * Shared pieces of the site's browser tests: a private Astro build and a
 * headless Chromium that may talk only to the site's own address.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createDb, type Db } from '../../../db/client.ts';
import { migrate } from '../../../db/migrate.ts';

export const ROOT = new URL('../../../', import.meta.url).pathname;

/**
 * Build the site into `<work>/dist`, so a build by someone else cannot change
 * it under the test. The bundle imports packages by name, so `<work>` gets a
 * node_modules link to the repo's.
 */
export async function buildSite(work: string): Promise<string> {
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  const outDir = join(work, 'dist');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--outDir', outDir, '--silent'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`astro build failed (${code}): ${err.slice(0, 2000)}`));
    });
  });
  return outDir;
}

/** What a site browser test starts from: its work folder, the site building into it, an empty migrated store. */
export interface SiteWorkspace {
  work: string;
  /** The private build's dist folder, once built ({@link buildSite}). */
  built: Promise<string>;
  db: Db;
}

/**
 * A fresh work folder (`chatlas-e2e-<name>-…` in the temp folder), the site's
 * private build started into it, and an embedded store in `<work>/store`,
 * migrated. The caller removes `work` when done.
 */
export async function siteWorkspace(name: string): Promise<SiteWorkspace> {
  const work = mkdtempSync(join(tmpdir(), `chatlas-e2e-${name}-`));
  const built = buildSite(work);
  // Awaited by the caller; a failed build must not surface as an unhandled rejection meanwhile.
  built.catch(() => {});
  mkdirSync(join(work, 'store'));
  const db = await createDb({ dataDir: join(work, 'store'), url: undefined, user: 'default', password: '', database: 'chatlas', cluster: undefined });
  await migrate(db);
  return { work, built, db };
}

/** A browser whose every request off `host` is aborted and recorded, with dialogs and console errors recorded. */
export interface TestBrowser {
  context: BrowserContext;
  offHost: string[];
  dialogs: string[];
  consoleErrors: string[];
  /** Open `url` in a new page; returns the page and the HTTP status. */
  open(url: string): Promise<{ page: Page; status: number }>;
}

/** Launch Debian's Chromium with a fresh profile in `profileDir`. */
export async function launchBrowser(profileDir: string, host: string): Promise<TestBrowser> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  const b: TestBrowser = {
    context, offHost: [], dialogs: [], consoleErrors: [],
    async open(url) {
      const page = await context.newPage();
      const res = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
      return { page, status: res?.status() ?? 0 };
    },
  };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === host || url.protocol === 'data:') return route.continue();
    b.offHost.push(url.href);
    return route.abort();
  });
  context.on('page', (page) => {
    page.on('dialog', (d) => {
      b.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => { if (m.type() === 'error') b.consoleErrors.push(`${page.url()}: ${m.text()}`); });
    page.on('pageerror', (e) => b.consoleErrors.push(`${page.url()}: ${e.message}`));
  });
  return b;
}

/** Wait until every chart canvas on the page is drawn; return the inked pixel count of each. */
export async function chartInk(page: Page): Promise<number[]> {
  const n = await page.locator('canvas[data-chart]').count();
  await page.waitForFunction((count) => document.querySelectorAll('canvas[data-drawn="true"]').length === count, n, { timeout: 30_000 });
  return page.evaluate(() => Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')).map((c) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
    return inked;
  }));
}
