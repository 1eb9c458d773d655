/**
 * A TLS terminator in front of a plain HTTP server (TEST ONLY): what a real
 * deployment's nginx or Caddy does in front of `chatlas serve` on port 8448
 * (or 443) of the Matrix server name. It accepts TLS with a certificate for
 * that name and pipes the decrypted bytes to the backend unchanged, so the
 * request line a remote server signed reaches serve exactly as sent.
 */
import { connect, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

/** Options of {@link startTlsTerminator}. */
export interface TlsTerminatorOptions {
  /** Loopback address to listen on. */
  host: string;
  /** @default 8448 */
  port?: number;
  /** Certificate chain and key (PEM), e.g. from sim/test-ca.ts. */
  certPem: string;
  keyPem: string;
  /** The plain HTTP server behind it. */
  backend: { host: string; port: number };
  /** Idle timeout of a connection, ms. @default 30000 */
  idleTimeoutMs?: number;
}

/** A running terminator. */
export interface TlsTerminator {
  readonly host: string;
  readonly port: number;
  /** SNI names of the TLS connections accepted so far, in order (who asked for which name). */
  readonly servernames: readonly string[];
  close(): Promise<void>;
}

/** Start listening; resolves once it accepts connections. */
export async function startTlsTerminator(options: TlsTerminatorOptions): Promise<TlsTerminator> {
  const port = options.port ?? 8448;
  const idle = options.idleTimeoutMs ?? 30_000;
  const servernames: string[] = [];
  const open = new Set<Socket>();
  const server = createServer({ cert: options.certPem, key: options.keyPem }, (tls: TLSSocket) => {
    servernames.push(typeof tls.servername === 'string' ? tls.servername : '');
    const upstream = connect(options.backend.port, options.backend.host);
    for (const s of [tls, upstream]) {
      open.add(s);
      s.setTimeout(idle, () => s.destroy());
      s.once('close', () => open.delete(s));
    }
    // Either side closing or failing closes the other: no half-open leftovers.
    tls.once('close', () => upstream.destroy());
    upstream.once('close', () => tls.destroy());
    tls.on('error', () => upstream.destroy());
    upstream.on('error', () => tls.destroy());
    tls.pipe(upstream).pipe(tls);
  });
  // A client that aborts the handshake is not the test's concern.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    host: options.host,
    port,
    servernames,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
