/**
 * The methods each documented API path answers, read from the operation
 * table (operations.ts), so that the 405 for any other method and the Allow
 * header of OPTIONS say what the OpenAPI document says (RFC 9110 §15.5.6:
 * a 405 carries Allow).
 *
 * The 405 is sent by the server entry (jobs/serve/server.ts) before the
 * request reaches Astro: Astro's cross-site form guard runs ahead of every
 * route, so a PUT without a same-site Origin would otherwise be answered
 * 403 "Cross-site PUT form submissions are forbidden", whatever the path.
 */
import { OPERATIONS } from './operations.ts';
import { problem } from './problem.ts';

/** Canonical order of methods in an Allow header. */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface PathMethods {
  pattern: RegExp;
  allow: readonly string[];
}

/** Built on first use: the operation table is fixed for the life of the process. */
let table: PathMethods[] | undefined;

function compile(): PathMethods[] {
  const byPath = new Map<string, Set<string>>();
  for (const op of OPERATIONS) {
    const methods = byPath.get(op.path) ?? new Set(['OPTIONS']);
    methods.add(op.method.toUpperCase());
    // Astro answers HEAD with the GET handler.
    if (op.method === 'get') methods.add('HEAD');
    byPath.set(op.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({
    // `{name}` is one path segment; Astro's default trailingSlash ('ignore') also routes `path/`.
    pattern: new RegExp(`^${path.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}/?$`),
    allow: ORDER.filter((m) => methods.has(m)),
  }));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The methods `pathname` answers (a GET implies HEAD; OPTIONS always), or
 * `null` when no documented operation has this path.
 * @example allowedMethods('/api/v1/registrations/123') // ['GET', 'HEAD', 'PATCH', 'OPTIONS']
 */
export function allowedMethods(pathname: string): readonly string[] | null {
  table ??= compile();
  return table.find((t) => t.pattern.test(pathname))?.allow ?? null;
}

/**
 * The 405 problem for `method` on `pathname`, with its Allow header; `null`
 * when the path is not a documented one or the method is allowed there.
 */
export function methodNotAllowed(method: string, pathname: string): Response | null {
  const allow = allowedMethods(pathname);
  if (!allow || allow.includes(method)) return null;
  // The method is quoted: it is whatever token the client sent.
  return problem('method-not-allowed', `${JSON.stringify(method.slice(0, 20))} is not a method of ${pathname.slice(0, 200)}; it answers ${allow.join(', ')}`, {
    headers: { allow: allow.join(', ') },
  });
}
