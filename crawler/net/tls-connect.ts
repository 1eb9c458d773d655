/**
 * TLS for stream protocols (XMPP): upgrade a connected socket after
 * STARTTLS (RFC 6120 §5), or open direct TLS (XEP-0368), and return the
 * TLSSocket with its TlsFacts. The certificate is judged, not trusted:
 * a bad chain or name is in the facts and the caller decides.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { TlsFacts } from '../types.ts';
import type { NetContext } from './context.ts';
import { withDeadline } from './deadline.ts';
import { tlsClientOptions, tlsFactsFromSocket } from './tls-inspect.ts';
import { toProbeError } from './to-probe-error.ts';

/** Options of {@link upgradeToTls} and {@link connectTls}. */
export interface TlsUpgradeOptions {
  /** SNI, and the name the certificate must carry (the XMPP domain). */
  servername: string;
  /** ALPN, e.g. `['xmpp-client']` or `['xmpp-server']` (XEP-0368). */
  alpn?: string[];
  /** Handshake deadline. @default config.connectTimeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A TLS connection and what was observed about it. */
export interface TlsConnection {
  socket: tls.TLSSocket;
  facts: TlsFacts;
}

/**
 * Run a TLS client handshake over `socket` (already connected through
 * `ctx.connect`, so the address guard has passed). On failure the socket is destroyed.
 * @throws {ProbeError} `tls.timeout`, `tls.handshake`, `net.reset`.
 */
export function upgradeToTls(ctx: NetContext, socket: net.Socket, opts: TlsUpgradeOptions): Promise<TlsConnection> {
  return withDeadline((signal) => new Promise<TlsConnection>((resolve, reject) => {
    const secure = tls.connect({
      ...tlsClientOptions(ctx.config),
      socket,
      servername: opts.servername,
      ALPNProtocols: opts.alpn,
    });
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      secure.removeListener('error', onError);
    };
    const onAbort = (): void => {
      cleanup();
      secure.destroy();
      socket.destroy();
      reject(signal.reason);
    };
    const onError = (error: Error): void => {
      cleanup();
      secure.destroy();
      socket.destroy();
      reject(toProbeError(error, 'tls.handshake'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      cleanup();
      resolve({ socket: secure, facts: tlsFactsFromSocket(secure, opts.servername) });
    });
  }), opts.timeoutMs ?? ctx.config.connectTimeoutMs, 'tls.timeout', opts.signal);
}

/**
 * Direct TLS (XEP-0368 `_xmpps-client._tcp`): guarded TCP connect, then the handshake.
 * @throws {ProbeError} `net.forbidden-address`, `dns.*`, `net.*`, `tls.*`.
 */
export async function connectTls(ctx: NetContext, opts: TlsUpgradeOptions & { host: string; port: number }): Promise<TlsConnection> {
  const socket = await ctx.connect({ host: opts.host, port: opts.port, signal: opts.signal });
  return upgradeToTls(ctx, socket, opts);
}
