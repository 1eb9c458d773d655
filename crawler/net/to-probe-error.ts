/**
 * Map socket, TLS and undici failures to our closed ProbeError codes, so
 * every caller records the same code for the same failure. Codes come from
 * Node (`ECONNREFUSED`, OpenSSL verify codes such as `CERT_HAS_EXPIRED`) and
 * undici (`UND_ERR_*`, lib/core/errors.js).
 */
import { ProbeError, type ProbeErrorCode } from '../errors.ts';

const BY_CODE: Record<string, ProbeErrorCode> = {
  ECONNREFUSED: 'net.connect-refused',
  ECONNRESET: 'net.reset',
  EPIPE: 'net.reset',
  ECONNABORTED: 'net.reset',
  ETIMEDOUT: 'net.connect-timeout',
  EHOSTUNREACH: 'net.unreachable',
  ENETUNREACH: 'net.unreachable',
  EADDRNOTAVAIL: 'net.unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'net.connect-timeout',
  UND_ERR_HEADERS_TIMEOUT: 'http.timeout',
  UND_ERR_BODY_TIMEOUT: 'http.timeout',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'http.too-large',
  UND_ERR_HEADERS_OVERFLOW: 'http.too-large',
  UND_ERR_SOCKET: 'net.reset',
  UND_ERR_CLOSED: 'net.reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'http.protocol',
  // OpenSSL verification results (X509_V_ERR_* names as Node reports them).
  CERT_HAS_EXPIRED: 'tls.expired',
  CERT_NOT_YET_VALID: 'tls.cert-invalid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls.name-mismatch',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls.cert-invalid',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls.cert-invalid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls.cert-invalid',
  UNABLE_TO_GET_ISSUER_CERT: 'tls.cert-invalid',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls.cert-invalid',
  CERT_UNTRUSTED: 'tls.cert-invalid',
  CERT_REVOKED: 'tls.cert-invalid',
  CERT_SIGNATURE_FAILURE: 'tls.cert-invalid',
  INVALID_CA: 'tls.cert-invalid',
  EPROTO: 'tls.handshake',
};

/**
 * The ProbeError code for a Node, OpenSSL or undici error code (`ECONNREFUSED`,
 * `CERT_HAS_EXPIRED` as `socket.authorizationError` reports it, `UND_ERR_*`,
 * `HPE_*`, `ERR_SSL_*`), or `undefined` when it has none: the one table every
 * caller maps such codes through.
 */
export function probeErrorCodeFor(code: string): ProbeErrorCode | undefined {
  // hasOwn: a code such as `constructor` must not find Object.prototype's.
  if (Object.hasOwn(BY_CODE, code)) return BY_CODE[code];
  if (code.startsWith('HPE_')) return 'http.protocol';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'tls.handshake';
  return undefined;
}

/** The OpenSSL/Node/undici code of an error, if any. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Convert anything thrown by a socket, TLS or undici into a ProbeError.
 * A ProbeError anywhere in the `cause` chain (e.g. from our guarded lookup)
 * wins; an AggregateError (Happy Eyeballs) is judged by its first member.
 */
export function toProbeError(error: unknown, fallback: ProbeErrorCode = 'internal'): ProbeError {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof ProbeError) return e;
    if (e instanceof AggregateError && e.errors.length > 0) {
      const inner = e.errors.find((x) => x instanceof ProbeError) ?? e.errors[0];
      const mapped = toProbeError(inner, fallback);
      if (mapped.code !== fallback) return mapped;
    }
    const code = codeOf(e);
    if (code !== undefined) {
      const mapped = probeErrorCodeFor(code);
      const message = (e as Error).message?.split('\n')[0] ?? code;
      if (mapped) return new ProbeError(mapped, message.includes(code) ? message : `${code}: ${message}`, { cause: error });
    }
  }
  return ProbeError.from(error, fallback);
}
