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
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callJson, registerSetupUser, startServerProcess } from './homeserver-process.ts';

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

/** Start Synapse, wait until it answers, register the setup user. */
export async function startSynapse(options: StartSynapseOptions): Promise<SynapseHandle> {
  const address = options.address ?? SYNAPSE_ADDRESS;
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-synapse-'));
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
  const federating = options.federation;
  if (federating && federating.dns.port !== 53) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('a federating test Synapse needs the test DNS server on port 53 (getaddrinfo cannot use another port)');
  }
  const proc = await startServerProcess({
    name: 'synapse', command, dir, startTimeoutMs: options.startTimeoutMs ?? 90_000,
    env: federating ? { ...env, CHATLAS_TEST_DNS: federating.dns.host } : env,
    ...(federating ? { resolver: { host: federating.dns.host } } : {}),
    ready: () => callJson(address, SYNAPSE_PLAIN_PORT, 'GET', '/health').then((r) => r.status === 200),
  });
  try {
    const token = await registerSetupUser(address, SYNAPSE_PLAIN_PORT, SHARED_SECRET);
    return {
      serverName: options.serverName,
      dir,
      address,
      adminBase: `http://${address}:${SYNAPSE_PLAIN_PORT}`,
      api: (method, path, body) => callJson(address, SYNAPSE_PLAIN_PORT, method, path, body, token),
      logTail: proc.logTail,
      stop: proc.stop,
    };
  } catch (error) {
    await proc.stop();
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

