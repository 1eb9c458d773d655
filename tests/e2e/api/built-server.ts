/**
 * Test harness: build the site with Astro into a temp folder and serve it
 * with the server of `chatlas serve` itself (jobs/serve/server.ts
 * `startServer`) on a loopback address: the same method checks, headers and
 * static files as production. The store and API dependencies are installed
 * by the caller first (site/lib/store.ts setStore, site/lib/api/deps.ts
 * configureApi).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../../jobs/serve/server.ts';
import { getStore } from '../../../site/lib/store.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** Run a command with a deadline; resolves with its exit code and output. */
export function run(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; output: string }> {
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

/** A running built site. */
export interface BuiltServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Build (into node_modules/.cache, so the bundle resolves our packages) and
 * serve on `host`, over the store installed with setStore.
 */
export async function startBuiltServer(host: string): Promise<BuiltServer> {
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'chatlas-api-e2e-'));
  const build = await run(process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--outDir', outDir], 180_000, { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' });
  if (build.code !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`astro build failed (${build.code}): ${build.output.slice(-3000)}`);
  }
  const db = await getStore();
  const server = await startServer({ db, host, port: 0, distDir: outDir });
  return {
    origin: server.url,
    async close() {
      await server.close();
      // startServer's close uninstalls the store; the caller still owns it (and closes it).
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
