/**
 * Contract tests of the read endpoints: each route handler is called with a
 * Request against a real chdb store, and every 200 body is checked against
 * the very schema the OpenAPI document publishes for it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { configureApi, defaultLimiters, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { roomPageSchema, serverDetailSchema, serverListSchema, seriesSchema, softwareDetailSchema, softwareListSchema, statsSchema } from '../../../site/lib/api/response-schemas.ts';
import { problemSchema } from '../../../site/lib/api/schemas.ts';
import { OPERATIONS } from '../../../site/lib/api/operations.ts';
import * as stats from '../../../site/pages/api/v1/stats/index.ts';
import * as series from '../../../site/pages/api/v1/stats/series.ts';
import * as softwareList from '../../../site/pages/api/v1/software/index.ts';
import * as softwareOne from '../../../site/pages/api/v1/software/[name].ts';
import * as servers from '../../../site/pages/api/v1/servers/index.ts';
import * as serverOne from '../../../site/pages/api/v1/servers/[domain].ts';
import * as rooms from '../../../site/pages/api/v1/rooms.ts';
import * as exportFile from '../../../site/pages/api/v1/export/[file].ts';
import * as badge from '../../../site/pages/api/v1/badge/[domain].svg.ts';
import * as openapi from '../../../site/pages/api/v1/openapi.json.ts';
import * as problemType from '../../../site/pages/api/v1/problems/[code].ts';
import { cachedAnswer } from '../../../site/lib/api/cached-answer.ts';
import { call } from './call.ts';
import { FILLED_NOW, HOSTILE_ROOM_NAME, fillStore } from './fill-store.ts';

let store: TestStore;
let filled: Awaited<ReturnType<typeof fillStore>>;

before(async () => {
  store = await openTestStore();
  filled = await fillStore(store.db);
  configureApi({
    db: store.db, ...defaultLimiters(), readLimiter: new RateLimiter({ capacity: 10_000, refillPerSecond: 100 }),
    cursorKey: randomBytes(32), registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } },
    now: () => FILLED_NOW, log: () => {},
  });
});

after(async () => {
  resetApi();
  await store?.cleanup();
});

async function okJson<S extends z.ZodType>(res: Response, schema: S): Promise<z.output<S>> {
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 500));
  assert.match(res.headers.get('content-type')!, /^application\/json/);
  assert.ok(res.headers.get('etag'));
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.ok(res.headers.get('ratelimit-limit'));
  const parsed = schema.safeParse(JSON.parse(text));
  assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
  return parsed.data as z.output<S>;
}

async function problemOf(res: Response, status: number, code: string): Promise<z.output<typeof problemSchema>> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type')!, /^application\/problem\+json/);
  const body = problemSchema.parse(await res.json());
  assert.equal(body.code, code);
  return body;
}

test('GET /stats: totals of the latest complete day with a comparison point', async () => {
  const body = await okJson(await call(stats.GET, '/api/v1/stats?range=30d'), statsSchema);
  assert.ok(body.asOf, 'a day was chosen');
  assert.ok(body.current && body.current.probed > 0);
  await problemOf(await call(stats.GET, '/api/v1/stats?range=7y'), 400, 'invalid-parameter');
});

test('GET /stats: If-None-Match with the ETag gives 304', async () => {
  const first = await call(stats.GET, '/api/v1/stats');
  const etag = first.headers.get('etag')!;
  const second = await call(stats.GET, '/api/v1/stats', { headers: { 'if-none-match': etag } });
  assert.equal(second.status, 304);
  assert.equal(await second.text(), '');
});

test('GET /stats/series: one value per bucket and protocol, with base and coverage', async () => {
  const body = await okJson(await call(series.GET, '/api/v1/stats/series?metric=reachable&range=30d&step=day'), seriesSchema);
  assert.equal(body.step, 'day');
  assert.ok(body.points.length >= 5);
  for (const p of body.points) assert.ok(p.value <= p.base && p.base === p.probed);
  const problem = await problemOf(await call(series.GET, '/api/v1/stats/series?metric=DROP%20TABLE'), 400, 'invalid-parameter');
  assert.match(problem.detail, /"metric" = "DROP TABLE"/);
});

test('GET /software and /software/{name}', async () => {
  const list = await okJson(await call(softwareList.GET, '/api/v1/software'), softwareListSchema);
  assert.ok(list.software.some((s) => s.software === filled.software));
  const one = await okJson(await call(softwareOne.GET, `/api/v1/software/${filled.software}`, { params: { name: filled.software } }), softwareDetailSchema);
  assert.equal(one.name, filled.software);
  assert.ok(one.versions.length > 0);
  await problemOf(await call(softwareOne.GET, '/api/v1/software/nosuchsoftware', { params: { name: 'nosuchsoftware' } }), 404, 'not-found');
});

test('GET /servers: filters and cursor paging walk every server exactly once', async () => {
  const seen: string[] = [];
  let path = '/api/v1/servers?limit=7&sort=domain';
  let total = 0;
  for (let i = 0; i < 20; i++) {
    const res = await call(servers.GET, path);
    const page = await okJson(res, serverListSchema);
    if (i === 0) total = page.total;
    seen.push(...page.servers.map((s) => `${s.protocol}:${s.domain}`));
    if (!page.nextCursor) break;
    assert.match(res.headers.get('link')!, /rel="next"/);
    path = `/api/v1/servers?limit=7&sort=domain&cursor=${page.nextCursor}`;
  }
  assert.equal(seen.length, total);
  assert.equal(new Set(seen).size, total);
  const filteredRes = await call(servers.GET, `/api/v1/servers?software=${filled.software}`);
  const filtered = await okJson(filteredRes, serverListSchema);
  assert.ok(filtered.servers.length > 0 && filtered.servers.every((s) => s.software === filled.software));
  // Not of the documented form (too short, or outside base64url): a bad parameter.
  await problemOf(await call(servers.GET, '/api/v1/servers?cursor=AAAAforgedcursor'), 400, 'invalid-parameter');
  await problemOf(await call(servers.GET, `/api/v1/servers?cursor=${'A'.repeat(30)}.`), 400, 'invalid-parameter');
  // Of the form, but not issued here: a forged tag, or the query's own cursor without the API's signature.
  const first = await okJson(await call(servers.GET, '/api/v1/servers?limit=3&sort=domain'), serverListSchema);
  assert.ok(first.nextCursor);
  await problemOf(await call(servers.GET, `/api/v1/servers?limit=3&sort=domain&cursor=${'A'.repeat(40)}`), 404, 'invalid-cursor');
  await problemOf(await call(servers.GET, `/api/v1/servers?limit=3&sort=domain&cursor=${first.nextCursor!.slice(0, -22)}`), 404, 'invalid-cursor');
  // Signed, but for another sort: it names no page of this one.
  await problemOf(await call(servers.GET, `/api/v1/servers?limit=3&sort=members&cursor=${first.nextCursor}`), 404, 'invalid-cursor');
});

test('GET /servers/{domain}: latest facts, report, history; unknown is a 404 problem', async () => {
  const d = filled.upDomain;
  const body = await okJson(await call(serverOne.GET, `/api/v1/servers/${d}`, { params: { domain: d } }), serverDetailSchema);
  assert.equal(body.domain, d);
  assert.ok(body.protocols[0]!.latest.report !== undefined);
  assert.ok(body.history.length >= 5);
  assert.equal(body.registration, null);
  await problemOf(await call(serverOne.GET, '/api/v1/servers/unknown.test', { params: { domain: 'unknown.test' } }), 404, 'not-found');
  await problemOf(await call(serverOne.GET, '/api/v1/servers/bad..name', { params: { domain: 'bad..name' } }), 404, 'not-found');
  // Names are case-insensitive: the pattern admits upper case and the value is folded.
  const upper = await okJson(await call(serverOne.GET, `/api/v1/servers/${d.toUpperCase()}`, { params: { domain: d.toUpperCase() } }), serverDetailSchema);
  assert.equal(upper.domain, d);
});

test('query values are judged as sent: a blank is a value its schema refuses, not "absent"', async () => {
  for (const [route, path, name] of [
    [servers.GET, '/api/v1/servers?software=', 'software'],
    [rooms.GET, '/api/v1/rooms?server=', 'server'],
    [stats.GET, '/api/v1/stats?range=', 'range'],
    [softwareList.GET, '/api/v1/software?protocol=', 'protocol'],
  ] as const) {
    const body = await problemOf(await call(route, path), 400, 'invalid-parameter');
    assert.deepEqual(body.errors?.map((e) => [e.name, e.value]), [[name, '']], path);
  }
  // Surrounding blanks are not trimmed away either (the pages trim what a form sends; the API does not).
  await problemOf(await call(servers.GET, `/api/v1/servers?software=%20${filled.software}`), 400, 'invalid-parameter');
  const folded = await okJson(await call(servers.GET, `/api/v1/servers?software=${filled.software.toUpperCase()}`), serverListSchema);
  assert.ok(folded.servers.length > 0 && folded.servers.every((s) => s.software === filled.software));
});

test('GET /rooms: search with filters, crawled text returned as data', async () => {
  const body = await okJson(await call(rooms.GET, '/api/v1/rooms?q=hyperlink&sort=members'), roomPageSchema);
  assert.equal(body.rooms[0]?.name, HOSTILE_ROOM_NAME);
  const small = await okJson(await call(rooms.GET, '/api/v1/rooms?maxMembers=10&limit=5'), roomPageSchema);
  assert.ok(small.rooms.every((r) => r.members <= 10));
  await problemOf(await call(rooms.GET, '/api/v1/rooms?limit=0'), 400, 'invalid-parameter');
});

test('exports: CSV is injection-safe and well-formed; NDJSON has one JSON object per line', async () => {
  const csv = await call(exportFile.GET, '/api/v1/export/rooms.csv', { params: { file: 'rooms.csv' } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type')!, /^text\/csv/);
  const text = await csv.text();
  const lines = text.split('\r\n');
  assert.match(lines[0]!, /^protocol,room_id,server,address,name,topic,members/);
  assert.ok(text.includes(`"'=HYPERLINK(""http://127.66.0.1/x"",""<script>alert(1)</script>"")"`), 'formula neutralised and quotes doubled');
  assert.ok(text.includes(`"'-2+3 @SUM(A1) ""quoted"", with comma\nand newline"`));
  const nd = await call(exportFile.GET, '/api/v1/export/servers.ndjson', { params: { file: 'servers.ndjson' } });
  assert.match(nd.headers.get('content-type')!, /^application\/x-ndjson/);
  const rows = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l));
  const list = await okJson(await call(servers.GET, '/api/v1/servers?limit=200'), serverListSchema);
  assert.equal(rows.length, list.total);
  await problemOf(await call(exportFile.GET, '/api/v1/export/servers.xlsx', { params: { file: 'servers.xlsx' } }), 404, 'not-found');
});

test('badge: SVG for a listed server, escaped; 404 badge for an unknown one', async () => {
  const res = await call(badge.GET, `/api/v1/badge/${filled.upDomain}.svg`, { params: { domain: filled.upDomain } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^image\/svg\+xml/);
  const svg = await res.text();
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes(filled.upDomain));
  assert.ok(!svg.includes('<b>'));
  const unknown = await call(badge.GET, '/api/v1/badge/unknown.test.svg', { params: { domain: 'unknown.test' } });
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /not listed/);
});

test('OpenAPI 3.1 document documents every route and is served with an ETag', async () => {
  const doc = await (await call(openapi.GET, '/api/v1/openapi.json')).json();
  assert.equal(doc.openapi, '3.1.0');
  for (const op of OPERATIONS) assert.ok(doc.paths[op.path]?.[op.method], `${op.method} ${op.path}`);
  const servers = doc.paths['/api/v1/servers'].get;
  assert.deepEqual(servers.parameters.map((p: { name: string }) => p.name).sort(), ['cursor', 'health', 'limit', 'order', 'protocol', 'q', 'registration', 'software', 'sort', 'version']);
  assert.equal(servers.parameters.find((p: { name: string }) => p.name === 'limit').schema.maximum, 200);
  assert.ok(servers.responses['429']);
});

test('OPTIONS preflight for GET routes', async () => {
  const res = await call(rooms.OPTIONS, '/api/v1/rooms', { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' } });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.equal(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
});

test('a cached read is answered from the cache as the route answers it; misses, writes and refusals are the route\'s', async () => {
  const url = new URL('http://127.60.0.1/api/v1/software?protocol=matrix');
  const ask = (method = 'GET', ifNoneMatch: string | null = null, clientAddress = '127.60.0.210') => cachedAnswer({ method, url, ifNoneMatch, clientAddress });
  assert.equal(await ask(), null, 'nothing cached yet');
  const routed = await call(softwareList.GET, `${url.pathname}${url.search}`, { client: '127.60.0.210' });
  const body = new Uint8Array(await routed.arrayBuffer());
  const hit = await ask();
  assert.ok(hit);
  assert.equal(hit.status, 200);
  assert.deepEqual(hit.body, body);
  // The same headers as the route's answer, the rate limit counted once more.
  const headers = new Map(hit.headers);
  const routedHeaders = new Map([...routed.headers]);
  assert.deepEqual([...headers.keys()].sort(), [...routedHeaders.keys()].sort());
  for (const [name, value] of routedHeaders) if (name !== 'ratelimit-remaining') assert.equal(headers.get(name), value, name);
  assert.equal(Number(headers.get('ratelimit-remaining')), Number(routedHeaders.get('ratelimit-remaining')) - 1);
  // HEAD has no body; the current entity tag is a 304.
  assert.equal((await ask('HEAD'))?.body, null);
  const notModified = await ask('GET', headers.get('etag')!);
  assert.equal(notModified?.status, 304);
  assert.equal(notModified?.body, null);
  assert.equal(await ask('POST'), null);
  assert.equal(await cachedAnswer({ method: 'GET', url: new URL('http://127.60.0.1/api/v1/software?protocol=xmpp'), ifNoneMatch: null, clientAddress: '127.60.0.210' }), null, 'another query string is another entry');
});

test('API answers carry a policy that runs and frames nothing', async () => {
  const res = await call(stats.GET, '/api/v1/stats');
  assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
});

test('GET rate limit: 429 with Retry-After once the bucket is empty, per client', async () => {
  configureApi({
    db: store.db, ...defaultLimiters(), readLimiter: new RateLimiter({ capacity: 2, refillPerSecond: 0.5 }), cursorKey: randomBytes(32),
    registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } }, now: () => FILLED_NOW, log: () => {},
  });
  const client = '127.60.2.9';
  assert.equal((await call(openapi.GET, '/api/v1/openapi.json', { client })).status, 200);
  assert.equal((await call(openapi.GET, '/api/v1/openapi.json', { client })).status, 200);
  // The answer is cached now, but an empty bucket is not answered from the cache: the route refuses.
  assert.equal(await cachedAnswer({ method: 'GET', url: new URL('http://127.60.0.1/api/v1/openapi.json'), ifNoneMatch: null, clientAddress: client }), null);
  const limited = await call(openapi.GET, '/api/v1/openapi.json', { client });
  await problemOf(limited, 429, 'rate-limited');
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal((await call(openapi.GET, '/api/v1/openapi.json', { client: '127.60.2.10' })).status, 200);
});

test('problem type URIs resolve to the docs; unknown ones are a 404 problem', async () => {
  const known = problemType.GET({ params: { code: 'rate-limited' } });
  assert.equal(known.status, 303);
  assert.equal(known.headers.get('location'), '/api#problem-rate-limited');
  await problemOf(problemType.GET({ params: { code: 'toString' } }), 404, 'not-found');
});
