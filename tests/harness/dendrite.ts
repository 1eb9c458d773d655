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
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callJson, registerSetupUser, startServerProcess } from './homeserver-process.ts';

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


/** Dendrite's signing key file: PEM block `MATRIX PRIVATE KEY`, header `Key-ID`, the 32-byte ed25519 seed. */
function signingKeyPem(): string {
  const seed = randomBytes(32).toString('base64');
  return `-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:test\n\n${seed}\n-----END MATRIX PRIVATE KEY-----\n`;
}

/** Start Dendrite, wait until it answers, register the setup user. */
export async function startDendrite(options: StartDendriteOptions): Promise<DendriteHandle> {
  if (options.dns.port !== 53) throw new Error('startDendrite needs the test DNS server on port 53 (resolv.conf takes an address only)');
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-dendrite-'));
  const config = join(dir, 'dendrite.yaml');
  copyFileSync(join(HERE, 'dendrite', 'dendrite.yaml'), config);
  writeFileSync(join(dir, 'matrix_key.pem'), signingKeyPem(), { mode: 0o600 });
  writeFileSync(join(dir, 'tls.crt'), options.certPem);
  writeFileSync(join(dir, 'tls.key'), options.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.pem'), options.caPem);
  mkdirSync(join(dir, 'no-cert-dir'));
  const args = [
    '--config', config,
    '--http-bind-address', `${options.address}:${DENDRITE_PLAIN_PORT}`,
    '--https-bind-address', `${options.address}:${DENDRITE_TLS_PORT}`,
    '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'),
  ];
  const proc = await startServerProcess({
    name: 'dendrite', command: [DENDRITE_BIN, ...args], dir, startTimeoutMs: options.startTimeoutMs ?? 60_000,
    env: { PATH: process.env.PATH, HOME: dir, SSL_CERT_FILE: join(dir, 'ca.pem'), SSL_CERT_DIR: join(dir, 'no-cert-dir') },
    resolver: { host: options.dns.host },
    ready: () => callJson(options.address, DENDRITE_PLAIN_PORT, 'GET', '/_matrix/client/versions').then((r) => r.status === 200),
  });
  try {
    const token = await registerSetupUser(options.address, DENDRITE_PLAIN_PORT, SHARED_SECRET);
    return {
      serverName: DENDRITE_SERVER_NAME,
      address: options.address,
      api: (method, path, body) => callJson(options.address, DENDRITE_PLAIN_PORT, method, path, body, token),
      logTail: proc.logTail,
      stop: proc.stop,
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

