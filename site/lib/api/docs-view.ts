/**
 * The view model of the API docs page (site/pages/api/index.astro), read
 * from the OpenAPI document itself so the page documents exactly what the
 * API validates.
 */
import { openApiDocument } from './operations.ts';
import { problemTypes } from './openapi.ts';

/** One parameter as the docs page lists it. */
export interface DocParam {
  name: string;
  where: 'query' | 'path';
  required: boolean;
  type: string;
  description: string;
}

/** One operation as the docs page lists it. */
export interface DocOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  tag: string;
  params: DocParam[];
  statuses: { status: string; description: string }[];
  bearer: boolean;
  /** The path of a ready-to-run curl example (GETs without path parameters), or null. */
  example: string | null;
}

type Schema = { type?: string | string[]; enum?: unknown[]; minimum?: number; maximum?: number; default?: unknown; pattern?: string; maxLength?: number };

/** A short human type: `integer 1–200, default 50`, `one of: a, b`. */
export function describeSchema(s: Schema): string {
  const parts: string[] = [];
  if (s.enum) parts.push(`one of: ${s.enum.map(String).join(', ')}`);
  else if (s.type) parts.push(Array.isArray(s.type) ? s.type.join(' or ') : s.type);
  if (s.minimum !== undefined && s.maximum !== undefined && s.maximum < 1e15) parts.push(`${s.minimum}–${s.maximum}`);
  if (s.maxLength !== undefined) parts.push(`at most ${s.maxLength} characters`);
  if (s.default !== undefined) parts.push(`default ${String(s.default)}`);
  return parts.join(', ');
}

/** Build the docs view. */
export function apiDocsView() {
  const doc = openApiDocument();
  const operations: DocOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as { operationId: string; summary: string; description?: string; tags: string[]; parameters?: Array<{ name: string; in: 'query' | 'path'; required: boolean; description?: string; schema: Schema }>; responses: Record<string, { description: string }>; security?: unknown[] };
      const params = (op.parameters ?? []).map((p) => ({ name: p.name, where: p.in, required: p.required, type: describeSchema(p.schema), description: p.description ?? '' }));
      const hasPathParams = params.some((p) => p.where === 'path');
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary,
        description: op.description ?? '',
        tag: op.tags[0] ?? '',
        params,
        statuses: Object.entries(op.responses).map(([status, r]) => ({ status, description: r.description })),
        bearer: Array.isArray(op.security),
        example: method === 'get' && !hasPathParams ? path : null,
      });
    }
  }
  return { title: doc.info.title, version: doc.info.version, description: doc.info.description, operations, problems: problemTypes() };
}
