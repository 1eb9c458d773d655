/**
 * RFC 9457 problem details (https://www.rfc-editor.org/rfc/rfc9457).
 *
 * Every API error is `application/problem+json` with a stable `type` URI under
 * `/api/v1/problems/<code>`; clients branch on `type` (or our `code` member),
 * never on `title` or `detail` text.
 */

/** The closed list of problem codes, with their HTTP status and fixed title. */
export const PROBLEMS = {
  'invalid-parameter': { status: 400, title: 'A parameter is not valid' },
  'invalid-body': { status: 400, title: 'The request body is not valid' },
  // A well-formed cursor (the schema judges the form) that names no page: not issued by this
  // server, issued before it restarted, or for another sort. The page is not found, hence 404.
  'invalid-cursor': { status: 404, title: 'No page for this cursor; start again from the first page' },
  // A well-formed name (the body schema judges the form) that Chatlas refuses to list: reserved
  // or documentation names, or an xn-- label that is not valid IDNA. A refusal by rule, hence 403.
  'invalid-domain': { status: 403, title: 'The domain cannot be registered' },
  unauthorized: { status: 401, title: 'A valid management secret is required' },
  'not-found': { status: 404, title: 'No such resource' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'not-acceptable': { status: 406, title: 'Not acceptable' },
  conflict: { status: 409, title: 'The resource is not in a state that allows this' },
  'registration-expired': { status: 410, title: 'The registration expired before ownership was proven' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  // The request is fine; what conflicts is the state of the domain (no token published yet).
  // Publishing it resolves the conflict and the same request then succeeds, hence 409, not 422.
  'verification-failed': { status: 409, title: 'Ownership could not be proven' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'too-many-pending': { status: 429, title: 'Too many pending registrations' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'The service is not available' },
} as const;

/** A problem code. */
export type ProblemCode = keyof typeof PROBLEMS;

/** The base of every problem `type` URI. */
export const PROBLEM_BASE = '/api/v1/problems/';

/** The body of a problem response. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Our stable code, equal to the last segment of `type`. */
  code: ProblemCode;
  instance?: string;
  /** Per-parameter reasons for `invalid-parameter` and `invalid-body`. */
  errors?: { name: string; reason: string; value?: string }[];
  [extension: string]: unknown;
}

/** Build the body of a problem. */
export function problemBody(code: ProblemCode, detail: string, extra: Record<string, unknown> = {}): ProblemBody {
  const p = PROBLEMS[code];
  return { ...extra, type: `${PROBLEM_BASE}${code}`, title: p.title, status: p.status, detail, code };
}

/**
 * A problem response. Problems are never cached (`no-store`) so a fixed
 * parameter or an expired rate limit is seen at once.
 */
export function problem(code: ProblemCode, detail: string, options: { extra?: Record<string, unknown>; headers?: HeadersInit } = {}): Response {
  const body = problemBody(code, detail, options.extra);
  const headers = new Headers(options.headers);
  headers.set('content-type', 'application/problem+json; charset=utf-8');
  headers.set('cache-control', 'no-store');
  headers.set('x-content-type-options', 'nosniff');
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

/** Quote a client-supplied value for a `detail` string: JSON-quoted and cut to 100 characters. */
export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = s.length > 100 ? `${s.slice(0, 100)}…` : s;
  return JSON.stringify(cut);
}
