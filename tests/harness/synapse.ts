/**
 * Real Synapse for end-to-end tests (TEST ONLY): the venv in
 * /opt/chatlas-synapse, SQLite in a per-run folder, the checked-in
 * `synapse/homeserver.yaml` plus a generated `runtime.yaml` with paths and
 * the TLS certificate, listening on 127.21.0.1 or `address` (8448 and 443 TLS,
 * 8008 plain for set-up).
 *
 * `tests/harness/synapse/sitecustomize.py` is put on PYTHONPATH so the Python
 * process cannot open a socket to anything but loopback.
 *
 * With `federation`, Synapse federates as a real deployment does, with the
 * named servers only: it resolves names through OUR DNS server (it runs in its
 * own mount namespace where /etc/resolv.conf names only that server, read by
 * both libc's getaddrinfo and Twisted's SRV resolver), trusts the test CA for
 * federation TLS (`federation_custom_ca_list`, certificates still verified),
 * and may connect to `allowNets` only (`ip_range_whitelist` over a blocklist
 * of everything). Nothing in its verification of signatures is changed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Synapse virtualenv. */
export const SYNAPSE_VENV = '/opt/chatlas-synapse';
/** Address of the test Synapse (CONTRIBUTING.md block 127.21.0.0/16). */
export const SYNAPSE_ADDRESS = '127.21.0.1';
export const SYNAPSE_TLS_PORT = 8448;
/** TLS listener on the default HTTPS port, serving the `.well-known` documents. */
export const SYNAPSE_HTTPS_PORT = 443;
export const SYNAPSE_PLAIN_PORT = 8008;
/** Must match `registration_shared_secret` in synapse/homeserver.yaml. */
const SHARED_SECRET = 'chatlas-test-only-not-a-secret';
const HERE = new URL('.', import.meta.url).pathname;
const PYTHON = join(SYNAPSE_VENV, 'bin', 'python');

/** The installed matrix-synapse version, read from the package (never hard-coded). */
export function installedSynapseVersion(): string {
  const out = spawnSync(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("matrix-synapse"))'], { encoding: 'utf8', timeout: 30_000 });
  if (out.status !== 0) throw new Error(`cannot read the matrix-synapse version: ${out.stderr}`);
  return out.stdout.trim();
}

/** A running Synapse. */
export interface SynapseHandle {
  serverName: string;
  /** Where it listens (8448 and 443 TLS, 8008 plain). */
  address: string;
  dir: string;
  /** Plain set-up base URL (`http://127.21.0.1:8008`). */
  adminBase: string;
  /** Client API call on the plain listener with the setup user's token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Last lines of Synapse's log, for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

/** Options of {@link startSynapse}. */
export interface StartSynapseOptions {
  /** `server_name`, resolved by the test DNS to 127.21.0.1. */
  serverName: string;
  /** Certificate chain (PEM) for the TLS listener, issued by the test CA for `serverName`. */
  certPem: string;
  keyPem: string;
  /**
   * Loopback address of the three listeners. Another address than the default lets a test
   * run beside the other Synapse tests (and other people's runs) on one machine.
   * @default SYNAPSE_ADDRESS
   */
  address?: string;
  /** Extra YAML lines appended to runtime.yaml (fixture capture variants). @default '' */
  extraConfig?: string;
  /** Start-up deadline. @default 90000 */
  startTimeoutMs?: number;
  /** Federate with these servers, through our DNS and the test CA (see the file header). @default none: no federation */
  federation?: SynapseFederation;
}

/** How a test Synapse federates. */
export interface SynapseFederation {
  /** Our DNS server; it must listen on port 53 (getaddrinfo reads only an address from resolv.conf). */
  dns: { host: string; port: number };
  /** The test CA (PEM): the only CA Synapse trusts for federation TLS. */
  caPem: string;
  /** `federation_domain_whitelist`: the only servers Synapse talks to or accepts requests from. */
  servers: string[];
  /** `ip_range_whitelist`: where it may connect (everything else stays blocked). @default ['127.21.0.0/16'] */
  allowNets?: string[];
}

/** One HTTP request to the plain listener (IP literal: no name lookup). */
function call(host: string, port: number, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
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

/** Start Synapse, wait until it answers, register the setup user. */
export async function startSynapse(options: StartSynapseOptions): Promise<SynapseHandle> {
  const address = options.address ?? SYNAPSE_ADDRESS;
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-synapse-'));
  const log: string[] = [];
  const certPath = join(dir, 'tls.crt');
  const keyPath = join(dir, 'tls.key');
  writeFileSync(certPath, options.certPem);
  writeFileSync(keyPath, options.keyPem, { mode: 0o600 });
  const runtime = join(dir, 'runtime.yaml');
  writeFileSync(runtime, [
    '# TEST ONLY: generated per run by tests/harness/synapse.ts',
    `server_name: ${JSON.stringify(options.serverName)}`,
    `pid_file: ${JSON.stringify(join(dir, 'homeserver.pid'))}`,
    `media_store_path: ${JSON.stringify(join(dir, 'media'))}`,
    `signing_key_path: ${JSON.stringify(join(dir, 'signing.key'))}`,
    `tls_certificate_path: ${JSON.stringify(certPath)}`,
    `tls_private_key_path: ${JSON.stringify(keyPath)}`,
    'database:',
    '  name: sqlite3',
    `  args: {database: ${JSON.stringify(join(dir, 'homeserver.db'))}}`,
    // Well-knowns are served by the 443 listener, like a real deployment behind https://server_name/.
    `public_baseurl: ${JSON.stringify(`https://${options.serverName}/`)}`,
    ...(address === SYNAPSE_ADDRESS ? [] : listenersOn(address)),
    ...federationConfig(dir, options.federation),
    options.extraConfig ?? '',
    '',
  ].join('\n'));
  const configArgs = ['-c', join(HERE, 'synapse', 'homeserver.yaml'), '-c', runtime];
  const env = { ...process.env, PYTHONPATH: join(HERE, 'synapse'), PYTHONDONTWRITEBYTECODE: '1', SYNAPSE_ASYNC_IO_REACTOR: '0' };
  const keys = spawnSync(PYTHON, ['-m', 'synapse.app.homeserver', ...configArgs, '--generate-keys'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  if (keys.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`synapse --generate-keys failed: ${keys.stderr.slice(-2000)}`);
  }
  const command = [PYTHON, '-m', 'synapse.app.homeserver', ...configArgs];
  let child: ChildProcess;
  if (options.federation) {
    const { dns } = options.federation;
    if (dns.port !== 53) throw new Error('a federating test Synapse needs the test DNS server on port 53 (getaddrinfo cannot use another port)');
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${dns.host}\noptions timeout:1 attempts:1\n`);
    // Its own mount namespace (private propagation): /etc/resolv.conf is ours for this process only.
    child = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf, ...command], {
      cwd: dir, env: { ...env, CHATLAS_TEST_DNS: dns.host }, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    child = spawn(command[0]!, command.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
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
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    for (;;) {
      if (exited) throw new Error(`synapse exited during start-up:\n${logTail()}`);
      if (Date.now() > deadline) throw new Error(`synapse did not answer within the start-up deadline:\n${logTail()}`);
      const ok = await call(address, SYNAPSE_PLAIN_PORT, 'GET', '/health').then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const token = await registerSetupUser(address);
    return {
      serverName: options.serverName,
      dir,
      address,
      adminBase: `http://${address}:${SYNAPSE_PLAIN_PORT}`,
      api: (method, path, body) => call(address, SYNAPSE_PLAIN_PORT, method, path, body, token),
      logTail,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** homeserver.yaml's three listeners, on another address (runtime.yaml replaces the whole list). */
function listenersOn(address: string): string[] {
  const listener = (port: number, tls: boolean, names: string) => [
    `  - port: ${port}`, `    bind_addresses: [${JSON.stringify(address)}]`, '    type: http', `    tls: ${tls}`, '    x_forwarded: false',
    `    resources: [{names: [${names}], compress: false}]`,
  ];
  return ['listeners:', ...listener(SYNAPSE_TLS_PORT, true, 'client, federation, keys'), ...listener(SYNAPSE_HTTPS_PORT, true, 'client, federation, keys'), ...listener(SYNAPSE_PLAIN_PORT, false, 'client')];
}

/** runtime.yaml lines that let Synapse federate (none without `federation`). */
function federationConfig(dir: string, federation: SynapseFederation | undefined): string[] {
  if (!federation) return [];
  const caPath = join(dir, 'federation-ca.pem');
  writeFileSync(caPath, federation.caPem);
  return [
    // Replaces the operating system's CAs for federation: only test-CA certificates verify.
    `federation_custom_ca_list: [${JSON.stringify(caPath)}]`,
    `federation_domain_whitelist: ${JSON.stringify(federation.servers)}`,
    // ip_range_blacklist (homeserver.yaml) blocks every address; this re-opens only the test block.
    `ip_range_whitelist: ${JSON.stringify(federation.allowNets ?? ['127.21.0.0/16'])}`,
  ];
}

/** Register the setup user through the shared-secret admin API; returns its access token. */
async function registerSetupUser(address: string): Promise<string> {
  const nonce = await call(address, SYNAPSE_PLAIN_PORT, 'GET', '/_synapse/admin/v1/register');
  if (nonce.status !== 200) throw new Error(`nonce: HTTP ${nonce.status} ${JSON.stringify(nonce.json)}`);
  const user = 'setup';
  const password = 'setup-password-test-only';
  // HMAC-SHA1 over nonce NUL user NUL password NUL "admin" (Synapse docs/admin_api/register_api.md).
  const mac = createHmac('sha1', SHARED_SECRET).update(`${nonce.json.nonce}\0${user}\0${password}\0admin`).digest('hex');
  const reg = await call(address, SYNAPSE_PLAIN_PORT, 'POST', '/_synapse/admin/v1/register', { nonce: nonce.json.nonce, username: user, password, admin: true, mac });
  if (reg.status !== 200) throw new Error(`register setup user: HTTP ${reg.status} ${JSON.stringify(reg.json)}`);
  return reg.json.access_token as string;
}
