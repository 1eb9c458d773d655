/**
 * Typed probe failures with stable codes (undici `UND_ERR_*` style).
 * Callers branch on `code` or `retryable`, never on message text.
 * Expected outcomes ("no .well-known", "registration closed", "robots
 * disallows") are NOT errors: they are facts in an Observation.
 */

/** The closed set of failure codes. Add a code here before using it. */
export const PROBE_ERROR_CODES = [
  // DNS
  'dns.timeout', 'dns.servfail', 'dns.refused', 'dns.nxdomain', 'dns.no-records', 'dns.malformed', 'dns.unreachable', 'dns.invalid-name',
  // address guard
  'net.forbidden-address', 'net.connect-refused', 'net.connect-timeout', 'net.reset', 'net.unreachable', 'net.timeout',
  // TLS
  'tls.handshake', 'tls.cert-invalid', 'tls.name-mismatch', 'tls.expired', 'tls.timeout',
  // HTTP
  'http.too-large', 'http.timeout', 'http.redirect-limit', 'http.redirect-forbidden', 'http.status', 'http.bad-content-type',
  'http.protocol',
  // parsing
  'json.invalid', 'json.schema', 'xml.restricted', 'xml.malformed', 'xml.too-large', 'xml.too-deep',
  // XMPP streams
  'xmpp.stream-error', 'xmpp.timeout', 'xmpp.too-large', 'xmpp.no-starttls', 'xmpp.auth-failed', 'xmpp.iq-error',
  // politeness and policy
  'policy.robots-disallowed', 'policy.opted-out', 'policy.rate-limited',
  // Matrix
  'matrix.invalid-server-name', 'matrix.bad-response',
  // anything else (a bug): recorded, never crashes the crawl
  'internal',
] as const;
export type ProbeErrorCode = (typeof PROBE_ERROR_CODES)[number];

/** Codes worth retrying later in the same pass or the next one. */
const RETRYABLE: ReadonlySet<ProbeErrorCode> = new Set([
  'dns.timeout', 'dns.servfail', 'dns.unreachable', 'net.connect-timeout', 'net.reset', 'net.timeout', 'net.unreachable',
  'tls.timeout', 'http.timeout', 'xmpp.timeout', 'policy.rate-limited',
]);

export class ProbeError extends Error {
  override name = 'ProbeError';
  readonly code: ProbeErrorCode;
  readonly retryable: boolean;
  constructor(code: ProbeErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? RETRYABLE.has(code);
  }

  /** Wrap anything thrown into a ProbeError; a ProbeError passes through unchanged. */
  static from(error: unknown, fallback: ProbeErrorCode = 'internal'): ProbeError {
    if (error instanceof ProbeError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ProbeError(fallback, message.split('\n')[0] ?? message, { cause: error });
  }
}

/** True for a value that is a ProbeError (across realms and copies). */
export function isProbeError(value: unknown): value is ProbeError {
  return value instanceof ProbeError;
}
