import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseCache } from '../../../../site/lib/api/response-cache.ts';
import { jsonResponse } from '../../../../site/lib/api/json-response.ts';

const req = (headers: Record<string, string> = {}) => new Request('http://127.60.0.1/api/v1/stats', { headers });

test('concurrent misses share one load; hits within the TTL do not load again', async () => {
  const cache = new ResponseCache();
  let loads = 0;
  // The first load is held open until all three requests have asked, so they surely overlap.
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const load = async () => { loads++; if (loads === 1) await gate; return jsonResponse(req(), { n: loads }); };
  const pending = [1, 2, 3].map(() => cache.respond(req(), 'k', 60, 0, load));
  await new Promise((r) => setImmediate(r));
  open();
  const answers = await Promise.all(pending);
  assert.equal(loads, 1);
  for (const a of answers) assert.deepEqual(await a.json(), { n: 1 });
  assert.deepEqual(await (await cache.respond(req(), 'k', 60, 59_000, load)).json(), { n: 1 });
  assert.equal(loads, 1);
  // lru-cache's boundary: fresh while the age is at most the TTL, reloaded 1 ms later.
  assert.deepEqual(await (await cache.respond(req(), 'k', 60, 60_000, load)).json(), { n: 1 }, 'fresh at the TTL');
  assert.deepEqual(await (await cache.respond(req(), 'k', 60, 60_001, load)).json(), { n: 2 }, 'expired after the TTL');
});

test('a cached entity answers If-None-Match with 304', async () => {
  const cache = new ResponseCache();
  const first = await cache.respond(req(), 'k', 60, 0, async () => jsonResponse(req(), { a: 1 }));
  const etag = first.headers.get('etag')!;
  const second = await cache.respond(req({ 'if-none-match': etag }), 'k', 60, 1, async () => { throw new Error('not called'); });
  assert.equal(second.status, 304);
  assert.equal(second.headers.get('etag'), etag);
});

test('errors and oversized bodies are not cached', async () => {
  const cache = new ResponseCache({ maxBodyBytes: 10 });
  let loads = 0;
  const notFound = async () => { loads++; return new Response('{"x":1}', { status: 404 }); };
  assert.equal((await cache.respond(req(), 'a', 60, 0, notFound)).status, 404);
  assert.equal((await cache.respond(req(), 'a', 60, 0, notFound)).status, 404);
  const big = async () => { loads++; return jsonResponse(req(), { long: 'x'.repeat(100) }); };
  assert.equal((await cache.respond(req(), 'b', 60, 0, big)).status, 200);
  assert.equal(cache.size, 0);
});

test('memory is bounded: the least recently used entry goes first', async () => {
  const cache = new ResponseCache({ maxEntries: 2 });
  const load = (v: number) => async () => jsonResponse(req(), { v });
  await cache.respond(req(), 'a', 60, 0, load(1));
  await cache.respond(req(), 'b', 60, 0, load(2));
  await cache.respond(req(), 'a', 60, 0, load(9)); // hit: a is now the most recent
  await cache.respond(req(), 'c', 60, 0, load(3)); // drops b
  assert.equal(cache.size, 2);
  assert.deepEqual(await (await cache.respond(req(), 'a', 60, 0, load(99))).json(), { v: 1 });
  assert.deepEqual(await (await cache.respond(req(), 'b', 60, 0, load(22))).json(), { v: 22 });
});

test('a failed load reaches every waiting caller and is not cached', async () => {
  const cache = new ResponseCache();
  let loads = 0;
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const failing = async (): Promise<Response> => { loads++; await gate; throw new Error('store down'); };
  const pending = [1, 2].map(() => cache.respond(req(), 'k', 60, 0, failing));
  open();
  for (const p of pending) await assert.rejects(p, /store down/);
  assert.equal(loads, 1);
  assert.equal(cache.size, 0);
  assert.deepEqual(await (await cache.respond(req(), 'k', 60, 0, async () => jsonResponse(req(), { ok: true }))).json(), { ok: true });
});
