/**
 * What the real Matrix homeservers of the e2e tests share (TEST ONLY): one
 * JSON request to a plain listener by IP literal (no name lookup), the setup
 * user registered through the shared-secret admin API (Synapse's, which
 * Dendrite implements), and a supervised server process, optionally in its
 * own mount namespace whose /etc/resolv.conf names only our DNS server.
 * Used by tests/harness/synapse.ts and tests/harness/dendrite.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

/** An answer of {@link callJson}: the status and the parsed body (the text when it is not JSON). */
export interface JsonAnswer {
  status: number;
  json: any;
}

/** One HTTP request with a JSON body to `host:port` (an IP literal: no name lookup). */
export function callJson(host: string, port: number, method: string, path: string, body?: unknown, token?: string): Promise<JsonAnswer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({
      host, port, method, path, timeout: 20_000,
      headers: { 'content-type': 'application/json', ...(data ? { 'content-length': data.length } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try { json = JSON.parse(text); } catch { json = text; }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Register the admin user `setup` through the shared-secret admin API; returns its access token. */
export async function registerSetupUser(host: string, port: number, sharedSecret: string): Promise<string> {
  const nonce = await callJson(host, port, 'GET', '/_synapse/admin/v1/register');
  if (nonce.status !== 200) throw new Error(`nonce: HTTP ${nonce.status} ${JSON.stringify(nonce.json)}`);
  const user = 'setup';
  const password = 'setup-password-test-only';
  // HMAC-SHA1 over nonce NUL user NUL password NUL "admin" (Synapse docs/admin_api/register_api.md).
  const mac = createHmac('sha1', sharedSecret).update(`${nonce.json.nonce}\0${user}\0${password}\0admin`).digest('hex');
  const reg = await callJson(host, port, 'POST', '/_synapse/admin/v1/register', { nonce: nonce.json.nonce, username: user, password, admin: true, mac });
  if (reg.status !== 200) throw new Error(`register setup user: HTTP ${reg.status} ${JSON.stringify(reg.json)}`);
  return reg.json.access_token as string;
}

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  /** For messages: `synapse`, `dendrite`. */
  name: string;
  /** The program and its arguments. */
  command: string[];
  /** Its working folder; removed when it stops. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Run it in its own mount namespace where /etc/resolv.conf names only this DNS server (port 53). */
  resolver?: { host: string };
  /** Answers true once the server is up. */
  ready: () => Promise<boolean>;
  startTimeoutMs: number;
}

/** A started server process. */
export interface ServerProcess {
  /** The last 40 lines it printed. */
  logTail(): string;
  /** SIGTERM (SIGKILL after 10 s), then remove its folder. */
  stop(): Promise<void>;
}

/** Start a server process and wait until `ready` answers true; on failure it is stopped and the error carries its log. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const [program, ...args] = options.command as [string, ...string[]];
  let child: ChildProcess;
  if (options.resolver) {
    const resolvConf = join(options.dir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${options.resolver.host}\noptions timeout:1 attempts:1\n`);
    // Its own mount namespace (private propagation): /etc/resolv.conf is ours for this process only.
    child = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf, program, ...args], {
      cwd: options.dir, env: options.env, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    child = spawn(program, args, { cwd: options.dir, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const log: string[] = [];
  const keep = (chunk: Buffer) => { log.push(chunk.toString('utf8')); if (log.length > 400) log.splice(0, log.length - 400); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const logTail = () => log.join('').split('\n').slice(-40).join('\n');
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    }
    rmSync(options.dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + options.startTimeoutMs;
    for (;;) {
      if (exited) throw new Error(`${options.name} exited during start-up:\n${logTail()}`);
      if (Date.now() > deadline) throw new Error(`${options.name} did not answer within the start-up deadline:\n${logTail()}`);
      if (await options.ready().catch(() => false)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { logTail, stop };
}
