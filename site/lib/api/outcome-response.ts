/**
 * Turns a registration action's refusal (registration/outcome.ts) into a
 * problem response; refusal codes are a subset of the problem codes.
 */
import type { RefusalCode } from '../../../registration/outcome.ts';
import { problem } from './problem.ts';

export function refusalResponse(refusal: { code: RefusalCode; detail: string; extra?: Record<string, unknown> }): Response {
  const headers: Record<string, string> = {};
  if (refusal.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="chatlas"';
  if (refusal.code === 'too-many-pending') headers['retry-after'] = '3600';
  return problem(refusal.code, refusal.detail, { headers, ...(refusal.extra ? { extra: refusal.extra } : {}) });
}

/** A JSON answer that must never be cached (write results, secrets). */
export function noStoreJson(data: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set('content-type', 'application/json; charset=utf-8');
  h.set('cache-control', 'no-store');
  h.set('x-content-type-options', 'nosniff');
  return new Response(JSON.stringify(data), { status, headers: h });
}
