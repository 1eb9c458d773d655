/**
 * REAL Prosody and ejabberd (Debian packages) for end-to-end tests, on their
 * own 127.31.x addresses, resolving every name through our DNS server (and
 * nothing else), with test-CA certificates, federating with each other over
 * s2s. Test only. Configs: tests/harness/prosody/prosody.cfg.lua and
 * tests/harness/ejabberd/{ejabberd.yml,inetrc} (both commented "test only").
 *
 * Every wait is bounded; `stop()` kills what was started (Prosody by its pid,
 * ejabberd with `ejabberdctl stop` then its pid file, epmd with `epmd -kill`
 * only when this harness started it).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFileSync } from 'node:child_process';
import type { DnsServer } from '../../sim/dns-server.ts';
import type { TestCa } from '../../sim/test-ca.ts';

const run = promisify(execFile);
const HERE = new URL('.', import.meta.url).pathname;

/** Installed version of a Debian package, read from dpkg (never hard-coded). */
export function dpkgVersion(pkg: string): string {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
}

/** Wait until a TCP port accepts connections, bounded. */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      const done = (v: boolean): void => { s.destroy(); resolve(v); };
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
      s.setTimeout(500, () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One running server. */
export interface RunningXmpp {
  domain: string;
  /** The MUC host. */
  muc: string;
  ip: string;
  dir: string;
  /** Create an account (works while running). */
  register(user: string, password: string): Promise<void>;
  /** Create a room with flags. */
  createRoom(room: string, opts: RoomFlags): Promise<void>;
  stop(): Promise<void>;
}

/** Room configuration used by the tests. */
export interface RoomFlags {
  name: string;
  description?: string;
  public: boolean;
  membersOnly?: boolean;
  password?: string;
}

/** DNS records for a server's domain, MUC host, and SRV records. */
export function xmppZone(dns: DnsServer, domain: string, muc: string, ip: string): void {
  for (const name of [domain, muc]) {
    dns.set(name, { A: [ip] });
    dns.set(`_xmpp-client._tcp.${name}`, { SRV: [{ priority: 0, weight: 0, port: 5222, target: domain }] });
    dns.set(`_xmpp-server._tcp.${name}`, { SRV: [{ priority: 0, weight: 0, port: 5269, target: domain }] });
  }
}

async function writeCerts(ca: TestCa, dir: string, domain: string, muc: string): Promise<{ crt: string; key: string; ca: string }> {
  const cert = await ca.issue([domain, muc, `*.${domain}`]);
  await mkdir(path.join(dir, 'certs'), { recursive: true });
  const crt = path.join(dir, 'certs', `${domain}.crt`);
  const key = path.join(dir, 'certs', `${domain}.key`);
  const caPath = path.join(dir, 'certs', 'ca.crt');
  await writeFile(crt, cert.certPem);
  await writeFile(key, cert.keyPem);
  await writeFile(caPath, ca.caPem);
  await writeFile(path.join(dir, 'certs', `${domain}.pem`), cert.certPem + cert.keyPem);
  return { crt, key, ca: caPath };
}

/** Start Prosody on `ip` for `domain` (MUC at `rooms.<domain>`). */
export async function startProsody(opts: { ip: string; domain: string; dns: DnsServer; ca: TestCa }): Promise<RunningXmpp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chatlas-prosody-'));
  await mkdir(path.join(dir, 'data'), { recursive: true });
  const muc = `rooms.${opts.domain}`;
  await writeCerts(opts.ca, dir, opts.domain, muc);
  const config = path.join(HERE, 'prosody', 'prosody.cfg.lua');
  const env = { ...process.env, CHATLAS_PROSODY_DIR: dir, CHATLAS_PROSODY_IP: opts.ip, CHATLAS_PROSODY_DOMAIN: opts.domain, CHATLAS_DNS: `${opts.dns.host}@${opts.dns.port}` };
  const ctl = (args: string[], timeout = 15_000) => run('prosodyctl', ['--config', config, ...args], { env, timeout });
  const out = openSync(path.join(dir, 'stdout.log'), 'a');
  const child: ChildProcess = spawn('prosody', ['--config', config], { env, stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(opts.ip, 5222, 15_000);
    await waitForPort(opts.ip, 5269, 5_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`Prosody did not start: ${(error as Error).message}\n${await readFile(path.join(dir, 'prosody.log'), 'utf8').catch(() => '')}`);
  }
  return {
    domain: opts.domain, muc, ip: opts.ip, dir,
    async register(user, password) {
      await ctl(['register', user, opts.domain, password]);
    },
    async createRoom(room, f) {
      const cfg = [
        `name=${JSON.stringify(f.name)}`, `description=${JSON.stringify(f.description ?? '')}`, `hidden=${!f.public}`,
        'persistent=true', `members_only=${f.membersOnly === true}`, ...(f.password ? [`password=${JSON.stringify(f.password)}`] : []),
      ].join(';');
      const { stdout } = await ctl(['shell', `muc:create(${JSON.stringify(`${room}@${muc}`)}, {${cfg}})`]);
      if (!/MUC room/.test(stdout)) throw new Error(`prosodyctl muc:create ${room}: ${stdout}`);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Start ejabberd on `ip` for `domain` (MUC at `conference.<domain>`). */
export async function startEjabberd(opts: { ip: string; domain: string; dns: DnsServer; ca: TestCa; node: string; hosts?: Record<string, string> }): Promise<RunningXmpp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chatlas-ejabberd-'));
  const conf = path.join(dir, 'conf');
  for (const d of [conf, path.join(dir, 'spool'), path.join(dir, 'logs')]) await mkdir(d, { recursive: true });
  const muc = `conference.${opts.domain}`;
  await writeCerts(opts.ca, dir, opts.domain, muc);
  const yml = (await readFile(path.join(HERE, 'ejabberd', 'ejabberd.yml'), 'utf8'))
    .replaceAll('{{DOMAIN}}', opts.domain).replaceAll('{{DIR}}', dir).replaceAll('{{IP}}', opts.ip);
  await writeFile(path.join(conf, 'ejabberd.yml'), yml);
  const inetrc = (await readFile(path.join(HERE, 'ejabberd', 'inetrc'), 'utf8'))
    .replaceAll('{{DNS_IP}}', `{${opts.dns.host.split('.').join(',')}}`).replaceAll('{{DNS_PORT}}', String(opts.dns.port));
  // Static A entries (`{host, …}`) for names given in `hosts`: see the e2e test for why.
  const statics = Object.entries(opts.hosts ?? {}).map(([name, ip]) => `{host, {${ip.split('.').join(',')}}, [${JSON.stringify(name)}]}.\n`).join('');
  await writeFile(path.join(conf, 'inetrc'), inetrc + statics);
  const pidFile = path.join(dir, 'ejabberd.pid');
  await writeFile(path.join(conf, 'ejabberdctl.cfg'), `ERLANG_NODE=${opts.node}\nINET_DIST_INTERFACE=127.0.0.1\nEJABBERD_PID_PATH=${pidFile}\nERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0"\nEJABBERD_BYPASS_WARNINGS=true\n`);
  // ejabberdctl runs the node as the `ejabberd` user: it must own the run folder.
  const { stdout: ids } = await run('id', ['-u', 'ejabberd']);
  const { stdout: gids } = await run('id', ['-g', 'ejabberd']);
  const uid = Number(ids.trim());
  const gid = Number(gids.trim());
  await chmod(dir, 0o755);
  for (const p of [dir, conf, path.join(dir, 'spool'), path.join(dir, 'logs'), path.join(dir, 'certs'), ...['ejabberd.yml', 'inetrc', 'ejabberdctl.cfg'].map((f) => path.join(conf, f)),
    ...['ca.crt', `${opts.domain}.pem`, `${opts.domain}.crt`, `${opts.domain}.key`].map((f) => path.join(dir, 'certs', f))]) await chown(p, uid, gid);
  const env = { ...process.env, ERL_EPMD_ADDRESS: '127.0.0.1' };
  const epmdWasRunning = await run('epmd', ['-names'], { env, timeout: 5000 }).then(() => true, () => false);
  const ctlArgs = ['--config-dir', conf, '--spool', path.join(dir, 'spool'), '--logs', path.join(dir, 'logs'), '--node', opts.node];
  const ctl = (args: string[], timeout = 30_000) =>
    run('ejabberdctl', [...ctlArgs, ...args], { env, timeout });
  const stop = async (): Promise<void> => {
    await ctl(['stop'], 20_000).catch(() => undefined);
    await ctl(['stopped'], 20_000).catch(() => undefined);
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    if (!epmdWasRunning) await run('epmd', ['-kill'], { env, timeout: 5000 }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  // p1_xmpp 1.6.1 (ejabberd 23.01) resolves outbound s2s A/AAAA with
  // net:getaddrinfo, i.e. libc and /etc/resolv.conf, ignoring inetrc. The
  // node therefore runs in its own mount namespace where /etc/resolv.conf
  // names only our DNS server (which must then listen on port 53).
  if (opts.dns.port !== 53) throw new Error('startEjabberd needs the test DNS server on port 53 (getaddrinfo cannot use another port)');
  const resolvConf = path.join(dir, 'resolv.conf');
  await writeFile(resolvConf, `nameserver ${opts.dns.host}\noptions timeout:1 attempts:1\n`);
  try {
    await run('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf, 'ejabberdctl', ...ctlArgs, 'start'], { env, timeout: 30_000 });
    await ctl(['started'], 60_000);
    await waitForPort(opts.ip, 5222, 20_000);
  } catch (error) {
    const log = await readFile(path.join(dir, 'logs', 'ejabberd.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`ejabberd did not start: ${(error as Error).message}\n${log.slice(-3000)}`);
  }
  return {
    domain: opts.domain, muc, ip: opts.ip, dir,
    async register(user, password) {
      await ctl(['register', user, opts.domain, password]);
    },
    async createRoom(room, f) {
      await ctl(['create_room', room, muc, opts.domain]);
      const set = (k: string, v: string) => ctl(['change_room_option', room, muc, k, v]);
      await set('title', f.name);
      if (f.description) await set('description', f.description);
      await set('public', String(f.public));
      await set('persistent', 'true');
      if (f.membersOnly) await set('members_only', 'true');
      if (f.password) {
        await set('password_protected', 'true');
        await set('password', f.password);
      }
    },
    stop,
  };
}

/** Copy of a file for debugging failed runs (kept out of the way otherwise). */
export async function keepLog(from: string, to: string): Promise<void> {
  await copyFile(from, to).catch(() => undefined);
}
