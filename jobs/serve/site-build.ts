/**
 * Make sure the built site (dist/) is there and not older than its sources,
 * building it with Astro when needed, so `npm start` works on a fresh clone
 * and after a `git pull` without a separate build step.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The entry the server imports. */
export const SITE_ENTRY = join(ROOT, 'dist', 'server', 'entry.mjs');

/** Newest modification time under `path` (files only), 0 when absent. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** True when dist/ is missing or older than site/, db/queries/ or the Astro config. */
export function siteNeedsBuild(): boolean {
  if (!existsSync(SITE_ENTRY)) return true;
  const built = statSync(SITE_ENTRY).mtimeMs;
  const sources = Math.max(newest(join(ROOT, 'site')), newest(join(ROOT, 'db', 'queries')), newest(join(ROOT, 'astro.config.mjs')));
  return sources > built;
}

/** Build the site with Astro when needed. @throws when the build fails. */
export async function ensureSiteBuilt(logger: Logger): Promise<void> {
  if (!siteNeedsBuild()) return;
  logger.info('building the site (astro build)');
  const started = Date.now();
  const astro = join(ROOT, 'node_modules', 'astro', 'bin', 'astro.mjs');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [astro, 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`astro build failed with exit code ${code}`))));
  });
  logger.info({ ms: Date.now() - started }, 'site built');
}
