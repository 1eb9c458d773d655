/**
 * Query and body validation from zod schemas: the same schemas feed the
 * OpenAPI document (openapi.ts), so what is documented is what is checked.
 * A refusal is a 400 problem that names each bad parameter and quotes its value.
 */
import type { z } from 'zod';
import { problem, quote, type ProblemCode } from './problem.ts';

/** The result of a validation: the value, or the problem response to send. */
export type Validated<T> = { ok: true; value: T } | { ok: false; response: Response };

/**
 * Collect query parameters the way the site's pages do (site/lib/params.ts
 * `parseQuery`), so a link works the same on a page and on the API: an empty
 * value (`?software=` from a blank form field) counts as absent, and a
 * repeated key keeps its first value.
 */
export function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    if (value !== '' && !(key in out)) out[key] = value;
  }
  return out;
}

function refuse(code: ProblemCode, what: string, input: Record<string, unknown>, error: z.ZodError): Response {
  const errors = error.issues.slice(0, 20).map((issue) => {
    const name = issue.path.map(String).join('.') || '(body)';
    const raw = issue.path.length > 0 ? input[String(issue.path[0])] : undefined;
    return raw === undefined ? { name, reason: issue.message } : { name, reason: issue.message, value: typeof raw === 'string' ? raw : JSON.stringify(raw) };
  });
  const first = errors[0]!;
  const detail = first.value === undefined
    ? `${what} ${JSON.stringify(first.name)}: ${first.reason}`
    : `${what} ${JSON.stringify(first.name)} = ${quote(first.value)}: ${first.reason}`;
  return problem(code, detail, { extra: { errors } });
}

/** Validate the query string of `url` against `schema`. */
export function parseQuery<S extends z.ZodType>(url: URL, schema: S): Validated<z.output<S>> {
  const input = queryObject(url.searchParams);
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, response: refuse('invalid-parameter', 'query parameter', input, result.error) };
}

/** Validate path parameters (Astro's `params`) against `schema`. */
export function parsePath<S extends z.ZodType>(params: Record<string, string | undefined>, schema: S): Validated<z.output<S>> {
  const result = schema.safeParse(params);
  if (result.success) return { ok: true, value: result.data };
  // An invalid path segment names no resource: 404, with the reason kept for the reader.
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'path');
  return { ok: false, response: problem('not-found', `path parameter ${JSON.stringify(name)} = ${quote(params[name] ?? '')}: ${issue.message}`) };
}

/** Largest JSON body accepted, bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Read a JSON body with a byte cap and validate it against `schema`. */
export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S, maxBytes = MAX_BODY_BYTES): Promise<Validated<z.output<S>>> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return { ok: false, response: problem('unsupported-media-type', `send the body as application/json, not ${quote(type || '(none)')}`) };
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return { ok: false, response: problem('payload-too-large', `the body may be at most ${maxBytes} bytes`) };
  let text = '';
  if (request.body) {
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return { ok: false, response: problem('payload-too-large', `the body may be at most ${maxBytes} bytes`) };
      }
      chunks.push(value);
    }
    text = Buffer.concat(chunks).toString('utf8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, response: problem('invalid-body', `the body is not valid JSON: ${quote(text)}`) };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const input = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  return { ok: false, response: refuse('invalid-body', 'body field', input, result.error) };
}
