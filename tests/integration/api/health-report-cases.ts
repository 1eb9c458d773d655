/**
 * The health report through the store and the server API, fed with the
 * recorded probe results of the real Prosody, ejabberd and Synapse
 * (tests/fixtures/probe-results): each recording is stored as its own pass
 * through the crawler's insert, read back by the page's queries and the API
 * route, and must give exactly the findings `chatlas probe` gives for the same
 * result (crawler/health/probe-health-report.ts). Used by two test files
 * (one store per process): the current recordings, and the legacy ones whose
 * rows hold the outcomes the crawler wrote before the union.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestStore, type TestStore } from '../../harness/store.ts';
import { loadProbeFixture, probeFixtureNames } from '../../harness/probe-fixtures.ts';
import { configureApi, defaultLimiters, resetApi } from '../../../site/lib/api/deps.ts';
import { RateLimiter } from '../../../site/lib/api/rate-limiter.ts';
import { serverDetailSchema } from '../../../site/lib/api/response-schemas.ts';
import * as serverOne from '../../../site/pages/api/v1/servers/[domain].ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { getServer } from '../../../db/queries/servers/get-server.ts';
import { getServerObservations } from '../../../db/queries/servers/get-server-observations.ts';
import { healthReport } from '../../../site/lib/health-report.ts';
import { probeHealthReport } from '../../../crawler/health/probe-health-report.ts';
import type { Finding } from '../../../crawler/health/health-report.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { call } from './call.ts';

/** The recording as the crawler handed it to the store: Dates revived, nothing else read into it. */
function asWritten(dir: string, name: string): ProbeResult {
  const keys = new Set(['observedAt', 'foundAt', 'validFrom', 'validTo']);
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'), (k, v: unknown) => (keys.has(k) && typeof v === 'string' ? new Date(v) : v)) as ProbeResult;
}

/** Each recording is its own crawl pass (the pass id is the crawl loop's to give, not the probe's). */
function asPass(r: ProbeResult, passId: string): ProbeResult {
  r.snapshot.passId = passId;
  for (const o of r.observations) o.passId = passId;
  for (const room of r.rooms) room.passId = passId;
  return r;
}

const show = (f: Finding[]): string => f.map((x) => `${x.level} ${x.title} [${x.steps.join(', ')}]`).join('\n');

/** Register the tests for the recordings in `dir`. */
export function healthReportCases(dir: string): void {
  let store: TestStore;
  let now = new Date();
  before(async () => {
    store = await openTestStore();
    configureApi({
      // No response cache: each case stores a new pass of the same domain and reads it back at once.
      db: store.db, ...defaultLimiters(), responseCache: undefined, readLimiter: new RateLimiter({ capacity: 10_000, refillPerSecond: 100 }),
      cursorKey: randomBytes(32), registration: { net: { txt: async () => [], fetchText: async () => ({ status: 404, body: '' }) } },
      now: () => now, log: () => {},
    });
  });
  after(async () => {
    resetApi();
    await store?.cleanup();
  });

  // In the order they were recorded, each one then the latest of its domain.
  const names = probeFixtureNames(dir).sort((a, b) => asWritten(dir, a).snapshot.observedAt.getTime() - asWritten(dir, b).snapshot.observedAt.getTime());
  for (const name of names) {
    test(`${name}: the store, the API and chatlas probe give the same report`, async () => {
      const written = asPass(asWritten(dir, name), randomUUID());
      await insertProbeResults(store.db, [written]);
      const { domain, protocol, status } = written.snapshot;
      now = written.snapshot.observedAt;
      const detail = (await getServer(store.db, { domain })).find((d) => d.protocol === protocol);
      assert.ok(detail, `${domain} not stored`);
      const stored = healthReport(detail, await getServerObservations(store.db, { domain }), now);
      const probed = probeHealthReport(loadProbeFixture(name, dir), now);
      if (status === 'ok') {
        assert.deepEqual(stored, probed, `${name}: the page and chatlas probe disagree`);
      } else {
        // A failed probe: the store also knows the facts of the last probe that answered; what the probe says is all there.
        for (const f of probed) assert.ok(stored.some((s) => JSON.stringify(s) === JSON.stringify(f)), `${name}: "${f.title}" missing from the page:\n${show(stored)}`);
      }
      if (name.endsWith('-healthy')) assert.deepEqual(stored.filter((f) => f.level === 'error'), [], show(stored));

      const res = await call(serverOne.GET, `/api/v1/servers/${domain}`, { params: { domain } });
      assert.equal(res.status, 200);
      const body = serverDetailSchema.parse(await res.json());
      const entry = body.protocols.find((p) => p.protocol === protocol)!;
      assert.deepEqual(entry.findings, stored, `${name}: the API and the page disagree`);
      assert.deepEqual(entry.latest.report, loadProbeFixture(name, dir).snapshot.report, 'the crawler\'s items, as it wrote them');
    });
  }

  const forbidden = names.find((n) => n.endsWith('-forbidden-federation-target'));
  test('a federation target on a forbidden address: the API leads with the crawler\'s sentence and its fix', async () => {
    assert.ok(forbidden, 'the recording is there');
    const r = loadProbeFixture(forbidden, dir);
    const item = r.snapshot.report.find((x) => x.level === 'error' && x.step === 'tls.federation')!;
    now = r.snapshot.observedAt;
    const res = await call(serverOne.GET, `/api/v1/servers/${r.snapshot.domain}`, { params: { domain: r.snapshot.domain } });
    const body = serverDetailSchema.parse(await res.json());
    const first = body.protocols.find((p) => p.protocol === 'matrix')!.findings[0]!;
    assert.deepEqual([first.level, first.title, first.fix], ['error', item.message, item.fix]);
    assert.ok(first.steps.includes('matrix.federation-version'));
  });
}
