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
 * Collect query parameters as the OpenAPI document describes them: every
 * value exactly as sent, so the schema that documents a parameter is the one
 * that judges it (an empty `?software=` is a value, and the pattern refuses
 * it), and a repeated key keeps its first value. The pages treat a blank form
 * field as absent (site/lib/params.ts `parseQuery`); API clients are
 * programs, and a blank that silently dropped a filter would answer another
 * question than the one asked.
 */
export function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    if (!(key in out)) out[key] = value;
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
  const type = mediaType(request);
  if (type !== 'application/json') {
    return { ok: false, response: problem('unsupported-media-type', `send the body as application/json, not ${quote(type || '(none)')}`) };
  }
  const text = await readCapped(request, maxBytes);
  if (text === null) return { ok: false, response: problem('payload-too-large', `the body may be at most ${maxBytes} bytes`) };
  return validateJson(text, schema);
}

/**
 * Like {@link parseJsonBody} for an operation whose body is optional (OpenAPI
 * `requestBody.required: false`): a request with no Content-Type and no bytes
 * has no body (`value` undefined); anything sent is a JSON body and judged as one.
 */
export async function parseOptionalJsonBody<S extends z.ZodType>(request: Request, schema: S, maxBytes = MAX_BODY_BYTES): Promise<Validated<z.output<S> | undefined>> {
  if (mediaType(request) !== '') return parseJsonBody(request, schema, maxBytes);
  const text = await readCapped(request, maxBytes);
  if (text === null) return { ok: false, response: problem('payload-too-large', `the body may be at most ${maxBytes} bytes`) };
  if (text === '') return { ok: true, value: undefined };
  return { ok: false, response: problem('unsupported-media-type', 'send the body as application/json, not "(none)"') };
}

function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The body as UTF-8 text, or `null` when it is (or says it is) larger than `maxBytes`. */
async function readCapped(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function validateJson<S extends z.ZodType>(text: string, schema: S): Validated<z.output<S>> {
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
