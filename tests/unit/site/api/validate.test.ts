import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonBody, parseOptionalJsonBody, parsePath, parseQuery } from '../../../../site/lib/api/validate.ts';
import { serverListParams } from '../../../../site/lib/params.ts';
import { registrationIdParams, registrationRequestSchema, verifyRequestSchema } from '../../../../site/lib/api/schemas.ts';

test('a bad query value is a 400 problem that names the parameter and quotes the value', async () => {
  const r = parseQuery(new URL('http://h/api/v1/servers?limit=5000&sort=evil'), serverListParams);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.response.status, 400);
  const body = await r.response.json();
  assert.equal(body.type, '/api/v1/problems/invalid-parameter');
  assert.match(body.detail, /"(limit|sort)" = "(5000|evil)"/);
  assert.deepEqual(body.errors.map((e: { name: string }) => e.name).sort(), ['limit', 'sort']);
  assert.equal(body.errors.find((e: { name: string }) => e.name === 'sort').value, 'evil');
});

test('valid queries parse with defaults; the first repeat wins', () => {
  const r = parseQuery(new URL('http://h/?protocol=xmpp&protocol=matrix&limit=7&software=Synapse'), serverListParams);
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.value.protocol, 'xmpp');
  assert.equal(r.value.software, 'synapse', 'case folded after the pattern matched');
  assert.equal(r.value.limit, 7);
  assert.equal(r.value.sort, 'members');
});

test('values are judged as sent: a blank or padded value is refused as its schema says, not dropped', async () => {
  for (const query of ['software=', 'protocol=', 'software=%20synapse']) {
    const r = parseQuery(new URL(`http://h/?${query}`), serverListParams);
    assert.equal(r.ok, false, query);
    if (!r.ok) assert.equal((await r.response.json()).code, 'invalid-parameter');
  }
});

test('an invalid path parameter is a 404 problem', async () => {
  const r = parsePath({ id: 'nope' }, registrationIdParams);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.response.status, 404);
});

const post = (body: string, type = 'application/json') => new Request('http://h/', { method: 'POST', body, headers: { 'content-type': type } });

test('JSON bodies: wrong type 415, bad JSON 400, too large 413, schema errors 400', async () => {
  const wrongType = await parseJsonBody(post('{}', 'text/plain'), registrationRequestSchema);
  assert.equal(!wrongType.ok && wrongType.response.status, 415);
  const badJson = await parseJsonBody(post('{'), registrationRequestSchema);
  assert.equal(!badJson.ok && badJson.response.status, 400);
  const big = await parseJsonBody(post(JSON.stringify({ domain: 'x'.repeat(20_000) })), registrationRequestSchema);
  assert.equal(!big.ok && big.response.status, 413);
  const extra = await parseJsonBody(post('{"domain":"a.test","evil":1}'), registrationRequestSchema);
  assert.equal(!extra.ok && extra.response.status, 400);
  const ok = await parseJsonBody(post('{"domain":"a.test"}'), registrationRequestSchema);
  assert.deepEqual(ok.ok && ok.value, { domain: 'a.test' });
});

test('an optional JSON body: none at all is absent; anything sent is judged as JSON', async () => {
  const bare = new Request('http://h/', { method: 'POST' });
  const none = await parseOptionalJsonBody(bare, verifyRequestSchema);
  assert.deepEqual(none, { ok: true, value: undefined });
  const empty = await parseOptionalJsonBody(post('{}'), verifyRequestSchema);
  assert.deepEqual(empty.ok && empty.value, {});
  const notObject = await parseOptionalJsonBody(post('[1]'), verifyRequestSchema);
  assert.equal(!notObject.ok && notObject.response.status, 400);
  const untyped = await parseOptionalJsonBody(new Request('http://h/', { method: 'POST', body: 'x' }), verifyRequestSchema);
  // fetch gives a string body text/plain; a body with no type at all is refused as well.
  assert.equal(!untyped.ok && untyped.response.status, 415);
  const noType = new Request('http://h/', { method: 'POST', body: new Uint8Array([123, 125]) });
  const noTypeResult = await parseOptionalJsonBody(noType, verifyRequestSchema);
  assert.equal(!noTypeResult.ok && noTypeResult.response.status, 415);
});

test('the registration body takes a domain of the documented form only', () => {
  for (const domain of ['chat.example.org', 'XN--BCHER-KVA.de', 'a.b.', `${'a'.repeat(63)}.org`]) {
    assert.ok(registrationRequestSchema.safeParse({ domain }).success, domain);
  }
  for (const domain of ['', 'org', 'Bücher.de', '1.2.3.4', 'a.123', 'https://a.org', 'a.org:443', ' a.org', '-a.org', `${'a'.repeat(64)}.org`, `${'a.'.repeat(127)}org`]) {
    assert.equal(registrationRequestSchema.safeParse({ domain }).success, false, domain);
  }
});

