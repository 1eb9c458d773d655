/**
 * TLS facts of an endpoint (protocol, cipher, certificate, whether chain
 * and name verify), observed without trusting the certificate: we connect
 * with `rejectUnauthorized: false` and judge the chain and the name
 * ourselves, so a broken certificate is a recorded fact, not a lost probe.
 *
 * `tlsFactsFromSocket` also serves XMPP: after STARTTLS the probe upgrades
 * its own socket with {@link tlsClientOptions} and passes the TLSSocket here.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { CrawlConfig } from '../config.ts';
import type { TlsFacts } from '../types.ts';
import type { NetContext } from './context.ts';
import { withDeadline } from './deadline.ts';
import { unbracket } from './guarded-lookup.ts';
import { caList, clientSecureContext } from './tls-trust.ts';
import { toProbeError } from './to-probe-error.ts';
import type { BudgetTicket } from './request-budget.ts';

/** What to inspect. */
export interface InspectTlsOptions {
  host: string;
  port: number;
  /** SNI and the name the certificate must carry. @default host (no SNI for IP literals) */
  servername?: string;
  /** ALPN protocols to offer, e.g. `['xmpp-client']`, `['http/1.1']`. */
  alpn?: string[];
  /** @default config.connectTimeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The probe's budget for this step: the connection is one request (crawler/net/request-budget.ts). */
  budget?: BudgetTicket;
}

/**
 * TLS client options every probe uses: our CA list, chain judged by us, TLS ≥ 1.2.
 * With extra CAs, `secureContext` is the configuration's one shared context
 * ({@link clientSecureContext}; tls.connect then ignores `ca`/`minVersion`, which
 * stay for callers that build a context themselves); without, Node's default.
 */
export function tlsClientOptions(config: Pick<CrawlConfig, 'extraCaPems'>): tls.ConnectionOptions {
  const secureContext = clientSecureContext(config);
  return { ca: caList(config), rejectUnauthorized: false, minVersion: 'TLSv1.2', ...(secureContext ? { secureContext } : {}) };
}

/** A distinguished name as `CN=…, O=…` (only the fields people read). */
function formatName(name: tls.Certificate | undefined): string | null {
  if (!name) return null;
  const parts: string[] = [];
  for (const field of ['CN', 'O', 'C'] as const) {
    const v = name[field];
    if (v) parts.push(`${field}=${Array.isArray(v) ? v.join('+') : v}`);
  }
  return parts.length > 0 ? parts.join(', ') : null;
}

const date = (s: string | undefined): Date | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** Compute TlsFacts from an established TLS socket (rejectUnauthorized false). */
export function tlsFactsFromSocket(socket: tls.TLSSocket, servername: string): TlsFacts {
  const cert = socket.getPeerCertificate(false);
  const hasCert = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  const authError = socket.authorizationError ? String(socket.authorizationError) : null;
  // Node folds the name check into authorizationError when the chain is fine; separate them.
  const chainValid = socket.authorized || authError === 'ERR_TLS_CERT_ALTNAME_INVALID';
  const nameValid = hasCert ? tls.checkServerIdentity(servername, cert) === undefined : false;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.standardName ?? socket.getCipher()?.name ?? null,
    issuer: hasCert ? formatName(cert.issuer) : null,
    subject: hasCert ? formatName(cert.subject) : null,
    validFrom: hasCert ? date(cert.valid_from) : null,
    validTo: hasCert ? date(cert.valid_to) : null,
    chainValid: hasCert ? chainValid : false,
    nameValid,
    error: authError ?? (nameValid ? null : 'ERR_TLS_CERT_ALTNAME_INVALID'),
  };
}

/** Facts of a handshake that failed (no certificate seen). */
export function failedTlsFacts(error: unknown): TlsFacts {
  return { protocol: null, cipher: null, issuer: null, subject: null, validFrom: null, validTo: null, chainValid: null, nameValid: null, error: toProbeError(error, 'tls.handshake').message };
}

/**
 * Connect through `ctx.connect` (address guard, the politeness slot of
 * `opts.host`, connect deadline), complete a TLS handshake over that socket,
 * record the facts, close. A failed handshake is returned as facts with
 * `error`; DNS, politeness and connection failures throw.
 * @throws {ProbeError} `net.forbidden-address`, `dns.*`, `net.*`, `policy.rate-limited`, `tls.timeout`.
 */
export async function inspectTls(ctx: NetContext, opts: InspectTlsOptions): Promise<TlsFacts> {
  const host = unbracket(opts.host);
  const servername = opts.servername ?? host;
  const timeoutMs = opts.timeoutMs ?? ctx.config.connectTimeoutMs;
  const plain = await ctx.connect({ host, port: opts.port, signal: opts.signal, timeoutMs, ...(opts.budget ? { budget: opts.budget } : {}) });
  return withDeadline((signal) => new Promise<TlsFacts>((resolve, reject) => {
    const socket = tls.connect({
      ...tlsClientOptions(ctx.config),
      socket: plain,
      servername: net.isIP(servername) === 0 ? servername : undefined,
      ALPNProtocols: opts.alpn,
    });
    const finish = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      plain.destroy();
    };
    const onAbort = (): void => { finish(); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const facts = tlsFactsFromSocket(socket, servername);
      finish();
      resolve(facts);
    });
    socket.once('error', (error) => {
      finish();
      const mapped = toProbeError(error, 'tls.handshake');
      // The TCP connection is up: a failure now is the handshake's, a fact rather than a lost probe.
      if (mapped.code.startsWith('tls.') || mapped.code === 'net.reset') resolve(failedTlsFacts(mapped));
      else reject(mapped);
    });
  }), timeoutMs, 'tls.timeout', opts.signal).catch((error: unknown) => {
    // Aborted before the handshake started (withDeadline did not run it): do not leak the socket.
    plain.destroy();
    throw error;
  });
}
