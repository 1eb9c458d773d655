/**
 * The health report as the built site renders it on `/servers/<domain>`,
 * over a store holding the recorded probe results of the REAL Prosody,
 * ejabberd and Synapse (tests/fixtures/probe-results, see its SOURCE.md),
 * each stored as its own pass through the crawler's insert. The page must
 * show no error for the healthy servers, and for the Synapse whose federation
 * target is on a forbidden address the crawler's own sentence and fix, as an
 * error, first; and the registration page, whose immediate probe returns that
 * recording, shows the same. The served HTML is read over loopback (127.52.0.1).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../../db/client.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { startServer, type RunningServer } from '../../../jobs/serve/server.ts';
import { configureApi, defaultLimiters } from '../../../site/lib/api/deps.ts';
import { probeHealthReport } from '../../../crawler/health/probe-health-report.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { loadProbeFixture, probeFixtureNames } from '../../harness/probe-fixtures.ts';
import { siteWorkspace } from './browser.ts';

const HOST = '127.52.0.1';
let work: string;
let db: Db;
let server: RunningServer;

/** One finding as the page shows it. */
interface Shown { level: string; title: string; fix: string }

const decode = (s: string): string => s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&').trim();

/** The findings on the server page of `domain`, read from the served HTML. */
async function shownFindings(domain: string): Promise<Shown[]> {
  const res = await fetch(`${server.url}/servers/${domain}`);
  assert.equal(res.status, 200);
  return findingsOf(await res.text());
}

/** The recording of the Synapse whose federation target is on a forbidden address. */
function forbiddenRecording(): ProbeResult {
  return loadProbeFixture(probeFixtureNames().find((n) => n.endsWith('-forbidden-federation-target'))!);
}

/** Every finding on a served page (the pages here show one protocol each). */
function findingsOf(html: string): Shown[] {
  const out: Shown[] = [];
  for (const m of html.matchAll(/<li class="finding" data-level="([a-z]+)"[^>]*>([\s\S]*?)<\/li>/g)) {
    const body = m[2]!;
    const title = decode(/<p class="t"[^>]*>([\s\S]*?)<\/p>/.exec(body)?.[1] ?? '').replace(/^[a-z]+\s+/, '');
    const fix = decode(/<strong[^>]*>How to fix:<\/strong>([\s\S]*?)<\/p>/.exec(body)?.[1] ?? '');
    out.push({ level: m[1]!, title, fix });
  }
  return out;
}

/** A recording as its own pass (the pass id is the crawl loop's to give, not the probe's). */
function asPass(r: ProbeResult): ProbeResult {
  const passId = randomUUID();
  r.snapshot.passId = passId;
  for (const o of r.observations) o.passId = passId;
  for (const room of r.rooms) room.passId = passId;
  return r;
}

/** Store a recording as its own pass. */
async function store(name: string): Promise<ProbeResult> {
  const r = asPass(loadProbeFixture(name));
  await insertProbeResults(db, [r]);
  return r;
}

before(async () => {
  let built: Promise<string>;
  ({ work, built, db } = await siteWorkspace('health'));
  server = await startServer({
    db, host: HOST, port: 0, distDir: await built,
    // The registration's immediate probe answers with the recording; ownership is never checked here.
    configure: (store) => configureApi({
      db: store, ...defaultLimiters(), cursorKey: randomBytes(32), now: () => new Date(), log: () => {},
      registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) }, probe: async () => asPass(forbiddenRecording()) },
    }),
  });
});

after(async () => {
  await server?.close();
  await db?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the server page\'s health report over recorded real servers', () => {
  it('a healthy real Prosody, ejabberd and Synapse show no error, and the page lists what chatlas probe lists', async () => {
    const healthy = probeFixtureNames().filter((n) => n.endsWith('-healthy'));
    assert.ok(healthy.length >= 3, healthy.join(', '));
    for (const name of healthy) {
      const r = await store(name);
      const shown = await shownFindings(r.snapshot.domain);
      assert.deepEqual(shown.filter((f) => f.level === 'error'), [], `${name}:\n${shown.map((f) => `${f.level} ${f.title}`).join('\n')}`);
      // Certificate expiry is dated by the page at the time of the request; everything else is as recorded.
      const expected = probeHealthReport(r, new Date()).map((f) => f.title);
      assert.deepEqual(shown.map((f) => f.title), expected, name);
    }
  });

  it('a federation target on a forbidden address: the crawler\'s sentence and its fix, as an error, first', async () => {
    const name = probeFixtureNames().find((n) => n.endsWith('-forbidden-federation-target'))!;
    const r = await store(name);
    const item = r.snapshot.report.find((x) => x.level === 'error' && x.step === 'tls.federation');
    assert.ok(item);
    const shown = await shownFindings(r.snapshot.domain);
    assert.deepEqual(shown[0], { level: 'error', title: item.message, fix: item.fix });
  });

  it('the registration page shows the immediate probe\'s report, finding for finding as chatlas probe', async () => {
    const res = await fetch(`${server.url}/register`, {
      method: 'POST', headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'register', domain: 'chatlas-health-e2e.net' }),
    });
    const html = await res.text();
    assert.equal(res.status, 201, html.slice(0, 500));
    const r = forbiddenRecording();
    const expected = probeHealthReport(r).map((f) => ({ level: f.level, title: f.title, fix: f.fix }));
    assert.deepEqual(findingsOf(html), expected);
    assert.equal(findingsOf(html)[0]!.title, r.snapshot.report.find((x) => x.level === 'error')!.message);
  });
});
