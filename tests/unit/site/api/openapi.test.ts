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

test('a status answered two ways documents both media types; a duplicate media type is a build error', () => {
  const doc = openApiDocument();
  const post = (doc.paths['/api/v1/registrations'] as Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>).post!;
  assert.deepEqual(Object.keys(post.responses['403']!.content).sort(), ['application/problem+json', 'text/plain']);
  const twice = { status: 409, description: 'x', schema: z.object({}) };
  assert.throws(() => buildOpenApi([{ method: 'get', path: '/x', operationId: 'x', summary: 's', tag: 't', responses: [twice, twice] }], { version: '9' }), /two 409 responses/);
});

test('links from a new registration lead to reading, verifying and changing it; every link names an operation', () => {
  const doc = openApiDocument();
  const created = (doc.paths['/api/v1/registrations'] as Record<string, { responses: Record<string, { links?: Record<string, { operationId: string; parameters: Record<string, string> }> }> }>).post!.responses['201']!;
  assert.deepEqual(Object.values(created.links!).map((l) => [l.operationId, l.parameters.id]).sort(), [
    ['getRegistration', '$response.body#/registration/id'],
    ['updateRegistration', '$response.body#/registration/id'],
    ['verifyRegistration', '$response.body#/registration/id'],
  ]);
  assert.throws(() => buildOpenApi([{
    method: 'get', path: '/x', operationId: 'x', summary: 's', tag: 't',
    responses: [{ status: 200, description: 'ok', links: { Nowhere: { operationId: 'missing', parameters: {} } } }],
  }], { version: '9' }), /names no operation "missing"/);
});

test('verify takes no body or an object; the cursor and path patterns are the validating ones', () => {
  const doc = openApiDocument();
  const verify = (doc.paths['/api/v1/registrations/{id}/verify'] as Record<string, { requestBody: { required: boolean } }>).post!;
  assert.equal(verify.requestBody.required, false);
  const params = (path: string) => Object.fromEntries((doc.paths[path] as { get: { parameters: Array<{ name: string; schema: Record<string, unknown> }> } }).get.parameters.map((p) => [p.name, p.schema]));
  assert.deepEqual([params('/api/v1/servers').cursor!.minLength, params('/api/v1/servers').cursor!.maxLength], [23, 600]);
  // No lookaround: a test-data generator must be able to produce values that match.
  for (const path of ['/api/v1/servers/{domain}', '/api/v1/badge/{domain}.svg']) assert.doesNotMatch(String(params(path).domain!.pattern), /\(\?[=!<]/);
});
