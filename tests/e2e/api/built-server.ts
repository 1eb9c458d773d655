/**
 * Test harness: build the site with Astro into a temp folder and serve its
 * middleware handler with node:http on a loopback address, as `chatlas
 * serve` does. The store and API dependencies are installed by the caller
 * (site/lib/store.ts setStore, site/lib/api/deps.ts configureApi).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** Methods the Fetch API can represent; others (TRACE, TRACK, CONNECT) make `new Request` throw. */
const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

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

/** Build (into node_modules/.cache, so the bundle resolves our packages) and serve on `host`. */
export async function startBuiltServer(host: string): Promise<BuiltServer> {
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'chatlas-api-e2e-'));
  const build = await run(process.execPath, [join(ROOT, 'node_modules/astro/bin/astro.mjs'), 'build', '--outDir', outDir], 180_000, { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' });
  if (build.code !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`astro build failed (${build.code}): ${build.output.slice(-3000)}`);
  }
  const { handler } = await import(pathToFileURL(join(outDir, 'server', 'entry.mjs')).href) as { handler: (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void };
  const server = http.createServer((req, res) => {
    // What the server entry must do too: refuse methods the Fetch API cannot represent (Astro would answer 500).
    if (!ALLOWED_METHODS.has(req.method ?? '')) {
      res.writeHead(405, { allow: 'GET, HEAD, POST, PATCH, OPTIONS', 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    handler(req, res, () => { res.statusCode = 404; res.end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  const origin = `http://${host}:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    origin,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
