/**
 * Typed probe failures with stable codes (undici `UND_ERR_*` style).
 * Callers branch on `code` or `retryable`, never on message text.
 * Expected outcomes ("no .well-known", "registration closed", "robots
 * disallows") are NOT errors: they are facts in an Observation.
 *
 * A ProbeError is recognised by a brand, not by its prototype: `chatlas serve`
 * runs jobs/ and registration/ from source but answers routes from the Astro
 * bundle (dist/server), which carries its own copy of this module, so an error
 * thrown by one copy reaches `instanceof`/`from()` of the other. undici brands
 * its errors the same way for the same reason (lib/core/errors.js:
 * `Symbol.for('undici.error.UND_ERR')` and a static `Symbol.hasInstance`).
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
  'json.invalid', 'json.schema', 'json.not-canonical', 'xml.restricted', 'xml.malformed', 'xml.too-large', 'xml.too-deep',
  // XMPP streams
  'xmpp.stream-error', 'xmpp.timeout', 'xmpp.too-large', 'xmpp.no-starttls', 'xmpp.auth-failed', 'xmpp.iq-error',
  // politeness and policy
  'policy.robots-disallowed', 'policy.opted-out', 'policy.rate-limited',
  // the server's request budget for the day is spent (crawler/net/request-budget.ts)
  'policy.budget-exhausted',
  // Matrix (bad-signature: missing or not verifying; bad-auth-header: an X-Matrix header that does not parse)
  'matrix.invalid-server-name', 'matrix.bad-response', 'matrix.bad-signature', 'matrix.bad-auth-header',
  // anything else (a bug): recorded, never crashes the crawl
  'internal',
] as const;
export type ProbeErrorCode = (typeof PROBE_ERROR_CODES)[number];

/**
 * Transient codes: the same request a little later may well succeed (a timeout, a reset, SERVFAIL).
 * The crawl schedule retries a server whose last failure is one of these soon, a few times, before
 * its backoff (jobs/crawl/failure-class.ts); every other code waits for the full backoff.
 */
const RETRYABLE: ReadonlySet<ProbeErrorCode> = new Set([
  'dns.timeout', 'dns.servfail', 'dns.unreachable', 'net.connect-timeout', 'net.reset', 'net.timeout', 'net.unreachable',
  'tls.timeout', 'http.timeout', 'xmpp.timeout', 'policy.rate-limited',
]);

/**
 * The brand every ProbeError carries. `Symbol.for` puts it in the process-wide
 * registry, so every copy of this module (bundle or source) reads the same key.
 */
const BRAND: unique symbol = Symbol.for('chatlas.probe-error');

const CODES: ReadonlySet<string> = new Set(PROBE_ERROR_CODES);

/** True for a string of the closed {@link ProbeErrorCode} union (a stored code, a code from another copy). */
export function isProbeErrorCode(value: string): value is ProbeErrorCode {
  return CODES.has(value);
}

/** True for a transient code: what {@link ProbeError.retryable} says, for a code read back from the store. */
export function isRetryableCode(code: ProbeErrorCode): boolean {
  return RETRYABLE.has(code);
}

export class ProbeError extends Error {
  override name = 'ProbeError';
  readonly code: ProbeErrorCode;
  /** Decided by the code alone, so a code stored and read back (jobs/crawl/failure-class.ts) is judged the same. */
  readonly retryable: boolean;
  constructor(code: ProbeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = RETRYABLE.has(code);
  }

  /**
   * `x instanceof ProbeError` is {@link isProbeError}: true for a ProbeError of any
   * copy of this module. There are no subclasses, so no per-class brand is needed.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isProbeError(value);
  }

  /** The brand, on the prototype (as undici does): not an own property, so not in logs or JSON. */
  get [BRAND](): true {
    return true;
  }

  /**
   * Wrap anything thrown into a ProbeError with `fallback` as its code (the
   * original kept as `cause`); a ProbeError of any copy passes through unchanged.
   */
  static from(error: unknown, fallback: ProbeErrorCode = 'internal'): ProbeError {
    if (isProbeError(error)) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ProbeError(fallback, message.split('\n')[0] ?? message, { cause: error });
  }
}

/**
 * True for a ProbeError made by any copy of this module (another bundle, another
 * URL) whose code this copy knows, so the narrowed `code` really is a
 * `ProbeErrorCode`. A branded error with a code this copy lacks (a newer copy)
 * is false here, and `ProbeError.from` wraps it with its fallback code.
 */
export function isProbeError(value: unknown): value is ProbeError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { [BRAND]?: unknown; code?: unknown; retryable?: unknown };
  return v[BRAND] === true && typeof v.code === 'string' && isProbeErrorCode(v.code) && typeof v.retryable === 'boolean';
}
