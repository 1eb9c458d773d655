/**
 * The result of a registration action: a value, or a refusal with a stable
 * code that the API maps to a problem type and the register page to a message.
 */

/** Refusal codes (a subset of site/lib/api/problem.ts PROBLEMS). */
export type RefusalCode =
  | 'invalid-domain' | 'too-many-pending' | 'not-found' | 'conflict'
  | 'registration-expired' | 'verification-failed' | 'unauthorized';

/** An action's outcome. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: RefusalCode; detail: string; extra?: Record<string, unknown> };

export const refuse = (code: RefusalCode, detail: string, extra?: Record<string, unknown>): { ok: false; code: RefusalCode; detail: string; extra?: Record<string, unknown> } =>
  extra === undefined ? { ok: false, code, detail } : { ok: false, code, detail, extra };
