import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiDocsView, describeSchema } from '../../../../site/lib/api/docs-view.ts';
import { OPERATIONS } from '../../../../site/lib/api/operations.ts';
import { PROBLEMS } from '../../../../site/lib/api/problem.ts';

test('the docs page lists every operation and problem type from the document', () => {
  const v = apiDocsView();
  assert.equal(v.operations.length, OPERATIONS.length);
  assert.equal(v.problems.length, Object.keys(PROBLEMS).length);
  const servers = v.operations.find((o) => o.id === 'listServers')!;
  assert.equal(servers.example, '/api/v1/servers');
  assert.equal(servers.params.find((p) => p.name === 'limit')!.type, 'integer, 1–200, default 50');
  assert.ok(servers.statuses.some((s) => s.status === '429'));
  assert.equal(v.operations.find((o) => o.id === 'getServer')!.example, null, 'no runnable example with a path parameter');
  assert.equal(v.operations.find((o) => o.id === 'updateRegistration')!.bearer, true);
});

test('schemas are described in words', () => {
  assert.equal(describeSchema({ enum: ['a', 'b'], default: 'a' }), 'one of: a, b, default a');
  assert.equal(describeSchema({ type: 'string', maxLength: 200 }), 'string, at most 200 characters');
  assert.equal(describeSchema({ type: 'integer', minimum: 0, maximum: 9007199254740991 }), 'integer');
});
