/**
 * The guide's API and export columns (issue 15 item 3) over a real chdb store
 * filled by the real writer (insertProbeResults, insertRegistration): 40 days
 * of daily probes ending at an injected `now`, so each server's uptime, grade
 * and reasons are known exactly. `GET /api/v1/guide`, `GET /api/v1/guide/rubric`,
 * the server exports and the /choose loader all read the same memoised grading.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ProbeResult, ServerOffer } from '../../../crawler/types.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { insertRegistration } from '../../../db/queries/registrations/insert-registration.ts';
import { SERVER_EXPORT_COLUMNS } from '../../../db/queries/export/stream-servers-export.ts';
import { GUIDE_EXPORT_COLUMNS } from '../../../guide/export-columns.ts';
import { guideQuerySchema } from '../../../guide/query.ts';
import { RUBRIC } from '../../../guide/rubric.ts';
import { configureApi, defaultLimiters, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { openApiDocument } from '../../../site/lib/api/operations.ts';
import { guidePageSchema, guideRubricSchema } from '../../../site/lib/api/guide-response.ts';
import { problemSchema } from '../../../site/lib/api/schemas.ts';
import { loadGuide } from '../../../site/lib/pages/load-guide.ts';
import * as guide from '../../../site/pages/api/v1/guide/index.ts';
import * as rubric from '../../../site/pages/api/v1/guide/rubric.ts';
import * as exportFile from '../../../site/pages/api/v1/export/[file].ts';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { result, snap } from '../db/queries/store.ts';
import { call } from './call.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
/** `d` days before NOW's day, at 10:00 UTC. */
const ago = (d: number) => new Date(Date.UTC(2026, 11, 7 - d, 10)).toISOString();

const CONTACTS: ServerOffer = { provider: 'absent', support: null, contacts: { admin: ['xmpp:admin@open.test'] } };

let store: TestStore;

before(async () => {
  store = await openTestStore();
  const byDay = new Map<number, ProbeResult[]>();
  const add = (d: number, r: ProbeResult) => byDay.set(d, [...(byDay.get(d) ?? []), r]);
  const down = { status: 'unreachable', software: 'unknown', version: '', versionRaw: '', tls: null, error: 'connect ETIMEDOUT' } as const;
  for (let d = 39; d >= 0; d--) {
    // open.test: XMPP, open in-band registration, up at every probe, IPv6, DNSSEC, contact addresses.
    add(d, result(snap('open.test', 'xmpp', ago(d), { registration: 'open', ipv6: true, dnssec: true, offer: CONTACTS, uploadMaxBytes: 50_000_000 })));
    // flaky.test: XMPP, open, down one day in five (80%: a severe uptime miss, grade C).
    add(d, result(snap('flaky.test', 'xmpp', ago(d), d % 5 === 2 ? down : { registration: 'open', ipv6: true, dnssec: true, offer: CONTACTS })));
    // token.test: Matrix, registration by token, always up.
    add(d, result(snap('token.test', 'matrix', ago(d), { registration: 'token', ipv6: true })));
    // gone.test: XMPP, open, down at its latest probe (listed only with down=true).
    add(d, result(snap('gone.test', 'xmpp', ago(d), d === 0 ? down : { registration: 'open', ipv6: true, dnssec: true })));
    // hidden.test: XMPP, open, always up, hidden by its verified admin.
    add(d, result(snap('hidden.test', 'xmpp', ago(d), { registration: 'open', ipv6: true, dnssec: true })));
  }
  // young.test: XMPP, open, probed for 3 days only: its uptime is not known yet.
  for (let d = 2; d >= 0; d--) add(d, result(snap('young.test', 'xmpp', ago(d), { registration: 'open', ipv6: true, dnssec: true, offer: CONTACTS })));
  for (const d of [...byDay.keys()].sort((a, b) => b - a)) await insertProbeResults(store.db, byDay.get(d)!);
  await insertRegistration(store.db, {
    id: randomUUID(), domain: 'hidden.test', protocol: 'xmpp', state: 'verified', method: 'dns-txt', token: 't',
    createdAt: new Date(ago(6)), expiresAt: new Date(ago(-30)), verifiedAt: new Date(ago(6)), updatedAt: new Date(ago(6)),
    description: '', contact: '', hidden: true, hiddenRooms: [], optOut: false, clientKey: '', adminSecretHash: '',
  });
  configureApi({
    db: store.db, ...defaultLimiters(), readLimiter: new RateLimiter({ capacity: 10_000, refillPerSecond: 100 }),
    cursorKey: randomBytes(32), registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } },
    now: () => NOW, log: () => {},
  });
});

after(async () => {
  resetApi();
  await store?.cleanup();
});

async function page(query: string) {
  const res = await call(guide.GET, `/api/v1/guide${query}`);
  const text = await res.text();
  assert.equal(res.status, 200, text.slice(0, 500));
  assert.match(res.headers.get('content-type')!, /^application\/json/);
  const parsed = guidePageSchema.safeParse(JSON.parse(text));
  assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
  return { body: parsed.data, res };
}

async function problemOf(res: Response, status: number, code: string) {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type')!, /^application\/problem\+json/);
  const body = problemSchema.parse(await res.json());
  assert.equal(body.code, code);
  return body;
}

const domains = (rows: { domain: string }[]) => rows.map((r) => r.domain).sort();

describe('GET /api/v1/guide', () => {
  it('XMPP, open registration, uptime at least 99%: exactly the servers the history says, the unknown one counted apart', async () => {
    const { body } = await page('?protocol=xmpp&signup=open&uptime30=99');
    assert.deepEqual(domains(body.rows), ['open.test']);
    assert.equal(body.total, 1);
    assert.equal(body.unknownExcluded, 1, 'young.test: uptime not known yet');
    assert.equal(body.nextCursor, null);
    const open = body.rows[0]!;
    assert.equal(open.grade, 'A');
    assert.equal(open.status, 'ok');
    assert.deepEqual(open.signup, { class: 'open', way: 'in-band', label: 'Open: in the app (XEP-0077)' });
    assert.equal(open.uptime30, 1);
    assert.equal(open.uploadMaxBytes, 50_000_000);
    assert.equal(open.measured, open.applicable);
    assert.ok(open.criteria.every((c) => c.verdict === 'met' && c.fix === null && typeof c.measuredAt === 'string'), JSON.stringify(open.criteria));
    assert.deepEqual(open.offer.contacts, { admin: ['xmpp:admin@open.test'] });
    assert.equal(open.firstSeenAt?.slice(0, 10), ago(39).slice(0, 10));
  });

  it('grades with reasons: the severe uptime miss says why and how to fix it; unknown never grades down', async () => {
    const { body } = await page('?protocol=xmpp&down=true&sort=domain');
    assert.deepEqual(body.rows.map((r) => r.domain), ['flaky.test', 'gone.test', 'open.test', 'young.test']);
    const flaky = body.rows[0]!;
    assert.equal(flaky.grade, 'C');
    const uptime = flaky.criteria.find((c) => c.id === 'uptime')!;
    assert.equal(uptime.verdict, 'severe');
    // Days 0-29 ago: down on days 2, 7, 12, 17, 22 and 27.
    assert.equal(uptime.detail, 'Up for 80% of 30 probes over 30 days.');
    assert.ok(uptime.fix);
    const young = body.rows[3]!;
    assert.equal(young.criteria.find((c) => c.id === 'uptime')!.verdict, 'unknown');
    assert.equal(young.uptime30, null);
    assert.equal(young.grade, 'A', 'an unknown uptime costs nothing');
    assert.equal(young.measured, young.applicable - 1);
    assert.equal(body.rows[1]!.status, 'unreachable');
  });

  it('down servers are left out by default, hidden ones always', async () => {
    const { body } = await page('');
    assert.deepEqual(domains(body.rows), ['flaky.test', 'open.test', 'token.test', 'young.test']);
    const { body: all } = await page('?down=true&limit=500');
    assert.ok(!all.rows.some((r) => r.domain === 'hidden.test'));
    const { body: invite } = await page('?signup=invite');
    assert.deepEqual(domains(invite.rows), ['token.test']);
    assert.equal(invite.rows[0]!.signup.way, 'token');
  });

  it('pages with a cursor and a Link header; a cursor for another sort is 404 invalid-cursor', async () => {
    const first = await page('?sort=domain&limit=2');
    assert.deepEqual(first.body.rows.map((r) => r.domain), ['flaky.test', 'open.test']);
    assert.ok(first.body.nextCursor);
    const link = first.res.headers.get('link')!;
    assert.match(link, /rel="next"/);
    const next = /<([^>]+)>/.exec(link)![1]!;
    const second = await page(next.replace('/api/v1/guide', ''));
    assert.deepEqual(second.body.rows.map((r) => r.domain), ['token.test', 'young.test']);
    assert.equal(second.body.nextCursor, null);
    await problemOf(await call(guide.GET, `/api/v1/guide?sort=grade&limit=2&cursor=${first.body.nextCursor}`), 404, 'invalid-cursor');
  });

  it('400 problem naming the parameter for a bad value', async () => {
    for (const [query, field] of [['uptime30=101', 'uptime30'], ['protocol=irc', 'protocol'], ['sort=best', 'sort'], ['limit=0', 'limit'], ['ipv6=yes', 'ipv6'], ['cursor=a%2Bb', 'cursor']] as const) {
      const body = await problemOf(await call(guide.GET, `/api/v1/guide?${query}`), 400, 'invalid-parameter');
      assert.equal(body.errors?.[0]?.name, field, query);
    }
  });

  it('is documented with the same schema that validates it', () => {
    const doc = openApiDocument();
    const op = (doc.paths['/api/v1/guide'] as { get: { parameters: { name: string }[] } }).get;
    assert.deepEqual(op.parameters.map((p) => p.name).sort(), Object.keys(guideQuerySchema.shape).sort());
    assert.ok((doc.paths['/api/v1/guide/rubric'] as { get?: unknown }).get);
  });
});

describe('GET /api/v1/guide/rubric', () => {
  it('publishes the thresholds the code grades with', async () => {
    const res = await call(rubric.GET, '/api/v1/guide/rubric');
    assert.equal(res.status, 200);
    const body = guideRubricSchema.parse(await res.json());
    assert.deepEqual(body.thresholds, { ...RUBRIC });
    assert.deepEqual(body.grades.map((g) => g.grade), ['A', 'B', 'C']);
    await problemOf(await call(rubric.GET, '/api/v1/guide/rubric?x=1'), 400, 'invalid-parameter');
  });
});

describe('the server exports carry the guide columns', () => {
  it('CSV: the existing columns, then the guide\'s; each server\'s grade as the API grades it', async () => {
    const res = await call(exportFile.GET, '/api/v1/export/servers.csv', { params: { file: 'servers.csv' } });
    assert.equal(res.status, 200);
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], [...SERVER_EXPORT_COLUMNS, ...GUIDE_EXPORT_COLUMNS].join(','));
    const header = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    const by = (domain: string) => rows.find((r) => r.domain === domain)!;
    const { body } = await page('?down=true&limit=500');
    for (const r of body.rows) {
      assert.equal(by(r.domain).grade, r.grade, r.domain);
      assert.equal(by(r.domain).criteria_measured, String(r.measured), r.domain);
    }
    assert.equal(by('flaky.test').criterion_uptime, 'severe');
    assert.equal(by('young.test').criterion_uptime, 'unknown');
    assert.equal(by('young.test').uptime30, '', 'unknown is empty, not 0');
    assert.equal(by('token.test').criterion_dnssec, '', 'does not apply to Matrix');
    assert.equal(by('token.test').signup_class, 'invite');
    assert.equal(by('open.test').upload_max_bytes, '50000000');
    assert.equal(by('open.test').uptime30, '1');
    assert.ok(!rows.some((r) => r.domain === 'hidden.test'));
  });

  it('NDJSON: the same columns as JSON members, null where not known', async () => {
    const res = await call(exportFile.GET, '/api/v1/export/servers.ndjson', { params: { file: 'servers.ndjson' } });
    const rows = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of rows) for (const c of [...SERVER_EXPORT_COLUMNS, ...GUIDE_EXPORT_COLUMNS]) assert.ok(c in r, `${String(r.domain)} lacks ${c}`);
    const young = rows.find((r) => r.domain === 'young.test')!;
    assert.equal(young.uptime30, null);
    assert.equal(young.grade, 'A');
    // Its certificate runs 60 days from its latest probe (10:00), two hours before now.
    assert.equal(rows.find((r) => r.domain === 'open.test')!.tls_days_left, 59);
    assert.equal(rows.find((r) => r.domain === 'open.test')!.criterion_tls, 'met');
  });
});

describe('/choose loader', () => {
  it('answers the same servers as the API for the same query, with every fact sourced', async () => {
    const result = await loadGuide(store.db, new URL('http://127.60.0.1/choose?protocol=xmpp&signup=open&uptime30=99&feature='), NOW);
    assert.equal(result.kind, 'ok');
    if (result.kind !== 'ok') return;
    assert.deepEqual(result.view.rows.map((r) => r.domain), ['open.test']);
    assert.equal(result.view.unknownExcluded, 1);
    assert.equal(result.view.rows[0]!.healthHref, '/servers/open.test#health-xmpp');
    assert.ok(result.view.rows[0]!.facts.every((f) => f.source && f.measured));
    const bad = await loadGuide(store.db, new URL('http://127.60.0.1/choose?uptime30=200'), NOW);
    assert.equal(bad.kind, 'bad-request');
  });
});
