import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { buildOpenApi, jsonSchemaOf } from '../../../../site/lib/api/openapi.ts';
import { OPERATIONS, openApiDocument } from '../../../../site/lib/api/operations.ts';
import { serverListParams } from '../../../../site/lib/params.ts';

test('parameters come from the validating zod schemas: required, bounds, enums, defaults', () => {
  const doc = buildOpenApi([{
    method: 'get', path: '/x/{id}', operationId: 'x', summary: 's', tag: 't',
    pathParams: z.object({ id: z.uuid() }),
    query: z.object({ n: z.coerce.number().int().min(1).max(9).default(3).describe('how many'), k: z.enum(['a', 'b']), q: z.string().optional() }),
    responses: [{ status: 200, description: 'ok', schema: z.object({ a: z.string() }) }],
  }], { version: '9' });
  const op = (doc.paths['/x/{id}'] as Record<string, { parameters: Array<Record<string, unknown>>; responses: Record<string, unknown> }>).get!;
  const byName = Object.fromEntries(op.parameters.map((p) => [p.name, p]));
  assert.equal(byName.id!.in, 'path');
  assert.equal(byName.id!.required, true);
  assert.deepEqual({ required: byName.n!.required, schema: byName.n!.schema, description: byName.n!.description }, {
    required: false, schema: { type: 'integer', minimum: 1, maximum: 9, default: 3, description: 'how many' }, description: 'how many',
  });
  assert.equal(byName.k!.required, true);
  assert.deepEqual((byName.k!.schema as { enum: string[] }).enum, ['a', 'b']);
  assert.equal(byName.q!.required, false);
  // Every operation documents 304 (GET), 429, 500 and 503 besides its own answers.
  assert.deepEqual(Object.keys(op.responses).sort(), ['200', '304', '429', '500', '503']);
});

test('the document is OpenAPI 3.1 with JSON Schema 2020-12 bodies and no $schema members', () => {
  const doc = openApiDocument();
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(!JSON.stringify(doc).includes('"$schema"'));
  assert.ok(!JSON.stringify(doc).includes('#/$defs/'), 'no document-relative $defs refs (they would not resolve in OpenAPI)');
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
  for (const ref of refs) assert.equal(ref, '#/components/schemas/Problem');
});

test('every operation in the table is in the document with a unique operationId', () => {
  const doc = openApiDocument();
  const ids = new Set<string>();
  for (const op of OPERATIONS) {
    const entry = (doc.paths[op.path] as Record<string, { operationId: string }>)[op.method];
    assert.ok(entry, `${op.method} ${op.path}`);
    assert.ok(!ids.has(entry.operationId));
    ids.add(entry.operationId);
  }
});

test('the server list parameters are exactly the shared schema (site and API agree)', () => {
  const doc = openApiDocument();
  const params = (doc.paths['/api/v1/servers'] as { get: { parameters: Array<{ name: string }> } }).get.parameters.map((p) => p.name);
  assert.deepEqual(params.sort(), Object.keys(serverListParams.shape).sort());
});

test('write operations declare their JSON bodies and the bearer scheme', () => {
  const doc = openApiDocument();
  const patch = (doc.paths['/api/v1/registrations/{id}'] as Record<string, { requestBody?: { content: Record<string, unknown> }; security?: unknown }>).patch!;
  assert.ok(patch.requestBody?.content['application/json']);
  assert.deepEqual(patch.security, [{ managementSecret: [] }]);
  assert.equal(jsonSchemaOf(z.object({ a: z.boolean().optional() }).strict(), 'input').additionalProperties, false);
});
