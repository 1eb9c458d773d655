/**
 * Builds the OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0)
 * from the operation table: the very zod schemas that validate requests and
 * shape responses are converted with zod 4's `z.toJSONSchema` (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1), so the document cannot drift from the
 * code. Schemathesis fuzzes the API from this document.
 */
import { z } from 'zod';
import { PROBLEMS } from './problem.ts';
import { problemSchema } from './schemas.ts';

/**
 * An OpenAPI Link Object (https://spec.openapis.org/oas/v3.1.0#link-object):
 * how a value of this response feeds another operation. Schemathesis follows
 * links in its stateful phase (create a registration, then read and verify it).
 */
export interface ApiLink {
  operationId: string;
  /** Parameter name → runtime expression, e.g. `$response.body#/registration/id`. */
  parameters: Record<string, string>;
  description?: string;
}

/**
 * One documented response. Several specs may share a status (a problem and
 * Astro's text/plain refusal are both 403s): the document merges them into
 * one response with one content entry per media type.
 */
export interface ApiResponseSpec {
  status: number;
  description: string;
  /** Body schema (JSON); omit for an empty body or a non-JSON body. */
  schema?: z.ZodType;
  /** One media type, or several answered for the same status. @default 'application/json' when `schema` is set */
  contentType?: string | string[];
  /** Response headers worth documenting (name → description). */
  headers?: Record<string, string>;
  /** Operations this response's values lead to. */
  links?: Record<string, ApiLink>;
}

/** One operation of the API. */
export interface ApiOperation {
  method: 'get' | 'post' | 'patch';
  /** OpenAPI path template, e.g. `/api/v1/servers/{domain}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  query?: z.ZodObject;
  pathParams?: z.ZodObject;
  body?: z.ZodType;
  /** Whether a request without a body is valid too. @default false */
  bodyOptional?: boolean;
  responses: ApiResponseSpec[];
  /** Needs the management secret as a Bearer token. */
  bearer?: boolean;
}

type JsonSchema = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 Schema Object (no `$schema` member). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

function parametersOf(object: z.ZodObject, where: 'query' | 'path') {
  return Object.entries(object.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const schema = jsonSchemaOf(f, 'input');
    const description = typeof schema.description === 'string' ? schema.description : undefined;
    return {
      name,
      in: where,
      required: where === 'path' || !f.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema,
    };
  });
}

/** Problems every operation can answer (added to each operation's responses). */
const COMMON_PROBLEMS: ApiResponseSpec[] = [
  { status: 429, description: 'Rate limited: wait Retry-After seconds.', schema: problemSchema, contentType: 'application/problem+json', headers: { 'Retry-After': 'Seconds to wait.' } },
  { status: 500, description: 'Internal error (a bug: it is logged).', schema: problemSchema, contentType: 'application/problem+json' },
  { status: 503, description: 'The store is not available.', schema: problemSchema, contentType: 'application/problem+json' },
];

const RATE_HEADERS = {
  'RateLimit-Limit': { description: 'Requests allowed in a burst.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the burst.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the burst is fully available again.', schema: { type: 'integer' } },
};

function responsesOf(op: ApiOperation) {
  const out: Record<string, { description: string; headers: Record<string, unknown>; content?: Record<string, unknown>; links?: Record<string, unknown> }> = {};
  const all = [...op.responses, ...COMMON_PROBLEMS.filter((c) => !op.responses.some((r) => r.status === c.status))];
  for (const r of all) {
    const key = String(r.status);
    const entry = out[key] ??= { description: '', headers: { ...RATE_HEADERS } };
    entry.description = entry.description ? `${entry.description} Or: ${r.description}` : r.description;
    if (op.method === 'get' && r.status === 200) entry.headers.ETag = { description: 'Strong entity tag; send it back in If-None-Match.', schema: { type: 'string' } };
    for (const [name, description] of Object.entries(r.headers ?? {})) entry.headers[name] = { description, schema: { type: 'string' } };
    if (r.schema || r.contentType) {
      const schema = r.schema === problemSchema ? { $ref: '#/components/schemas/Problem' } : r.schema ? jsonSchemaOf(r.schema, 'output') : { type: 'string' };
      const types = Array.isArray(r.contentType) ? r.contentType : [r.contentType ?? 'application/json'];
      for (const t of types) {
        if (entry.content?.[t]) throw new TypeError(`${op.operationId}: two ${r.status} responses both document ${t}`);
        (entry.content ??= {})[t] = { schema };
      }
    }
    if (r.links) entry.links = { ...entry.links, ...r.links };
  }
  if (op.method === 'get') out['304'] = { description: 'Not modified: the If-None-Match entity tag is current.', headers: {} };
  return out;
}

/** Build the document for `operations`. */
export function buildOpenApi(operations: readonly ApiOperation[], info: { version: string; serverUrl?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const ids = new Set(operations.map((o) => o.operationId));
  for (const op of operations) {
    for (const r of op.responses) {
      for (const [name, link] of Object.entries(r.links ?? {})) {
        if (!ids.has(link.operationId)) throw new TypeError(`${op.operationId}: link ${name} names no operation ${JSON.stringify(link.operationId)}`);
      }
    }
    const parameters = [
      ...(op.pathParams ? parametersOf(op.pathParams, 'path') : []),
      ...(op.query ? parametersOf(op.query, 'query') : []),
    ];
    const operation: Record<string, unknown> = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      responses: responsesOf(op),
    };
    if (op.body) operation.requestBody = { required: !op.bodyOptional, content: { 'application/json': { schema: jsonSchemaOf(op.body, 'input') } } };
    if (op.bearer) operation.security = [{ managementSecret: [] }];
    (paths[op.path] ??= {})[op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Chatlas API',
      version: info.version,
      description: 'Public data of the Chatlas observatory of the XMPP and Matrix federations: statistics, software, servers, rooms, exports, and instance registration. Errors are RFC 9457 problem details; GET answers carry a strong ETag and allow CORS. Parameters are judged as sent: an empty value (`?software=`) is a value, and one its schema refuses is a 400. A method a path does not list is answered 405 with an Allow header (OPTIONS answers Allow too).',
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: jsonSchemaOf(problemSchema, 'output') },
      securitySchemes: { managementSecret: { type: 'http', scheme: 'bearer', description: 'The management secret returned once by the verify operation.' } },
    },
  };
}

/** The problem types, for the docs page. */
export function problemTypes() {
  return Object.entries(PROBLEMS).map(([code, p]) => ({ code, status: p.status, title: p.title }));
}
