/**
 * Real Dendrite for end-to-end tests (TEST ONLY): the binary that
 * scripts/install-test-deps.sh builds from the Go module proxy into
 * /opt/chatlas-dendrite, the checked-in `dendrite/dendrite.yaml` run from a
 * per-run folder (SQLite, a fresh signing key), TLS from the test CA on
 * `<address>:8448`, plain HTTP on `<address>:8008` for the set-up.
 *
 * Go has no hook like Synapse's sitecustomize.py, so the process is confined
 * by what it reads instead: its own mount namespace where /etc/resolv.conf
 * names only our DNS server (every lookup stays on loopback), and
 * SSL_CERT_FILE/SSL_CERT_DIR naming only the test CA. Its configuration asks
 * no perspective key server and no identity server, and nothing in the tests
 * makes it federate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where scripts/install-test-deps.sh installs the binary. */
export const DENDRITE_BIN = '/opt/chatlas-dendrite/bin/dendrite';
/** `global.server_name` of dendrite/dendrite.yaml. */
export const DENDRITE_SERVER_NAME = 'dendrite.test';
export const DENDRITE_TLS_PORT = 8448;
export const DENDRITE_PLAIN_PORT = 8008;
/** Must match `client_api.registration_shared_secret` in dendrite/dendrite.yaml. */
const SHARED_SECRET = 'chatlas-test-only-not-a-secret';
const HERE = new URL('.', import.meta.url).pathname;

/** The installed Dendrite's version, as the binary reports it (never hard-coded). */
export function installedDendriteVersion(): string {
  const out = spawnSync(DENDRITE_BIN, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (out.status !== 0) throw new Error(`cannot run ${DENDRITE_BIN} --version (scripts/install-test-deps.sh installs it): ${out.stderr || out.error?.message}`);
  return out.stdout.trim();
}

/** A running Dendrite. */
export interface DendriteHandle {
  serverName: string;
  address: string;
  /** Client API call on the plain listener with the setup user's token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Last lines of Dendrite's output, for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

/** Options of {@link startDendrite}. */
export interface StartDendriteOptions {
  /** Loopback address of both listeners; our DNS must give it for `dendrite.test`. */
  address: string;
  /** Certificate chain and key (PEM) for `dendrite.test`, from the test CA. */
  certPem: string;
  keyPem: string;
  /** The test CA (PEM): the only CA Dendrite trusts. */
  caPem: string;
  /** Our DNS server; it must listen on port 53 (resolv.conf takes an address only). */
  dns: { host: string; port: number };
  /** Start-up deadline. @default 60000 */
  startTimeoutMs?: number;
}

/** One HTTP request to the plain listener (IP literal: no name lookup). */
function call(host: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({
      host, port: DENDRITE_PLAIN_PORT, method, path, timeout: 20_000,
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

/** Dendrite's signing key file: PEM block `MATRIX PRIVATE KEY`, header `Key-ID`, the 32-byte ed25519 seed. */
function signingKeyPem(): string {
  const seed = randomBytes(32).toString('base64');
  return `-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:test\n\n${seed}\n-----END MATRIX PRIVATE KEY-----\n`;
}

/** Start Dendrite, wait until it answers, register the setup user. */
export async function startDendrite(options: StartDendriteOptions): Promise<DendriteHandle> {
  if (options.dns.port !== 53) throw new Error('startDendrite needs the test DNS server on port 53 (resolv.conf takes an address only)');
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-dendrite-'));
  const log: string[] = [];
  const config = join(dir, 'dendrite.yaml');
  copyFileSync(join(HERE, 'dendrite', 'dendrite.yaml'), config);
  writeFileSync(join(dir, 'matrix_key.pem'), signingKeyPem(), { mode: 0o600 });
  writeFileSync(join(dir, 'tls.crt'), options.certPem);
  writeFileSync(join(dir, 'tls.key'), options.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.pem'), options.caPem);
  mkdirSync(join(dir, 'no-cert-dir'));
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(resolvConf, `nameserver ${options.dns.host}\noptions timeout:1 attempts:1\n`);
  const args = [
    '--config', config,
    '--http-bind-address', `${options.address}:${DENDRITE_PLAIN_PORT}`,
    '--https-bind-address', `${options.address}:${DENDRITE_TLS_PORT}`,
    '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'),
  ];
  // Its own mount namespace (private propagation): /etc/resolv.conf is ours for this process only.
  const child: ChildProcess = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf, DENDRITE_BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, SSL_CERT_FILE: join(dir, 'ca.pem'), SSL_CERT_DIR: join(dir, 'no-cert-dir') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (exited) throw new Error(`dendrite exited during start-up:\n${logTail()}`);
      if (Date.now() > deadline) throw new Error(`dendrite did not answer within the start-up deadline:\n${logTail()}`);
      const ok = await call(options.address, 'GET', '/_matrix/client/versions').then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const token = await registerSetupUser(options.address);
    return {
      serverName: DENDRITE_SERVER_NAME,
      address: options.address,
      api: (method, path, body) => call(options.address, method, path, body, token),
      logTail,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Register the setup user through the shared-secret admin API (Synapse's, which Dendrite implements). */
async function registerSetupUser(address: string): Promise<string> {
  const nonce = await call(address, 'GET', '/_synapse/admin/v1/register');
  if (nonce.status !== 200) throw new Error(`nonce: HTTP ${nonce.status} ${JSON.stringify(nonce.json)}`);
  const user = 'setup';
  const password = 'setup-password-test-only';
  // HMAC-SHA1 over nonce NUL user NUL password NUL "admin" (Synapse docs/admin_api/register_api.md).
  const mac = createHmac('sha1', SHARED_SECRET).update(`${nonce.json.nonce}\0${user}\0${password}\0admin`).digest('hex');
  const reg = await call(address, 'POST', '/_synapse/admin/v1/register', { nonce: nonce.json.nonce, username: user, password, admin: true, mac });
  if (reg.status !== 200) throw new Error(`register setup user: HTTP ${reg.status} ${JSON.stringify(reg.json)}`);
  return reg.json.access_token as string;
}
