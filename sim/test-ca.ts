/**
 * A throwaway certificate authority for tests, made with the `openssl` CLI
 * (Debian's OpenSSL 3) in a temp folder: P-256 keys, SAN names and IPs.
 * Test only. Give `caPem` to the crawler as `extraCaPems` (production trusts
 * through NODE_EXTRA_CA_CERTS), and `certPem`/`keyPem` to the fake servers.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** An issued certificate and its key, as PEM text and files. */
export interface IssuedCert {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

export interface IssueOptions {
  /** Validity ends before it starts (`-days -1`): verification says CERT_HAS_EXPIRED. @default false */
  expired?: boolean;
  /** Signed by its own key, not the CA. @default false */
  selfSigned?: boolean;
}

export interface TestCa {
  caPem: string;
  caPath: string;
  /** The temp folder (removed by `cleanup`). */
  dir: string;
  /** Issue a leaf for DNS names and/or IP literals (the first is the CN). */
  issue(names: string[], opts?: IssueOptions): Promise<IssuedCert>;
  cleanup(): Promise<void>;
}

const sanOf = (names: string[]): string =>
  names.map((n) => (net.isIP(n) !== 0 ? `IP:${n}` : `DNS:${n}`)).join(',');

/** Options of {@link createTestCa}. */
export interface TestCaOptions {
  /**
   * Validity of the CA and of the certificates it issues, in days. Recordings
   * kept as fixtures use years, so that what they say about the certificate
   * still holds when a test reads them later.
   * @default 7 (the CA: 30)
   */
  days?: number;
}

/** Create a CA in a fresh temp folder. */
export async function createTestCa(options: TestCaOptions = {}): Promise<TestCa> {
  const leafDays = String(options.days ?? 7);
  const dir = await mkdtemp(path.join(tmpdir(), 'chatlas-ca-'));
  const caKey = path.join(dir, 'ca.key');
  const caPath = path.join(dir, 'ca.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', caKey, '-out', caPath, '-days', String(Math.max(30, options.days ?? 0)), '-subj', '/CN=Chatlas Test CA/O=Chatlas tests',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const caPem = await readFile(caPath, 'utf8');
  let serial = 0;

  async function issue(names: string[], opts: IssueOptions = {}): Promise<IssuedCert> {
    if (names.length === 0) throw new TypeError('issue() needs at least one name');
    const base = path.join(dir, `leaf-${++serial}`);
    const keyPath = `${base}.key`;
    const certPath = `${base}.pem`;
    const subject = `/CN=${names[0]}`;
    if (opts.selfSigned) {
      await run('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath,
        '-days', opts.expired ? '-1' : leafDays, '-subj', subject, '-addext', `subjectAltName=${sanOf(names)}`,
      ]);
    } else {
      const csr = `${base}.csr`;
      const ext = `${base}.ext`;
      await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', csr, '-subj', subject]);
      await writeFile(ext, `subjectAltName=${sanOf(names)}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n`);
      await run('openssl', [
        'x509', '-req', '-in', csr, '-CA', caPath, '-CAkey', caKey, '-set_serial', String(1000 + serial),
        '-out', certPath, '-days', opts.expired ? '-1' : leafDays, '-extfile', ext,
      ]);
    }
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8'), certPath, keyPath };
  }

  return { caPem, caPath, dir, issue, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
