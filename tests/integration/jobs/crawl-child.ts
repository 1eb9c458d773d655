/**
 * Child process for the kill -9 test: runs (or resumes) one pass over N
 * simulated domains on the embedded store in DATA_DIR, printing one line per
 * acknowledged batch (`ack key key …`) and `done <summary>` at the end.
 *
 * The probe here is a FAULT-TEST DOUBLE, scoped to this test: the test is
 * about the loop surviving kill -9, not about probing, and needs hundreds of
 * servers answering quickly and deterministically. It opens no socket.
 * Usage: node crawl-child.ts DATA_DIR COUNT DELAY_MS
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { createDb } from '../../../db/client.ts';
import { loadDbConfig } from '../../../db/config.ts';
import { migrate } from '../../../db/migrate.ts';
import { runCrawlPass, type ProbeFn } from '../../../jobs/crawl/crawl.ts';
import { DEFAULT_RESERVED_TLDS } from '../../../crawler/discover/domain-name.ts';

const [dataDir = '', countText = '300', delayText = '5'] = process.argv.slice(2);
const count = Number(countText);
const delayMs = Number(delayText);

/** Deterministic per domain: software, version and status come from a hash of the name. */
const probe: ProbeFn = async (domain, protocol, { passId, now }) => {
  await sleep(delayMs);
  const h = createHash('sha1').update(domain).digest();
  const ok = h[0]! % 5 !== 0;
  const software = h[1]! % 3 === 0 ? 'conduwuit' : 'synapse';
  const version = `1.${h[2]! % 4}.0`;
  return {
    snapshot: {
      passId, domain, protocol, observedAt: now, status: ok ? 'ok' : 'unreachable', software: ok ? software : 'unknown',
      versionRaw: ok ? version : '', version: ok ? version : '', registration: 'closed', features: ['f1'], specVersions: [],
      tls: null, dnssec: null, dane: null, ipv4: true, ipv6: null, publicRooms: 0, publicMembers: 0, users: null,
      endpoint: `${domain}:8448`, error: ok ? '' : 'net.connect-refused: refused', report: [],
    },
    observations: [{ passId, domain, protocol, step: 'matrix.federation-version', observedAt: now, outcome: ok ? 'ok' : 'net.connect-refused', durationMs: delayMs, facts: { software }, raw: '{}', error: '' }],
    rooms: [],
    discoveries: [],
  };
};

const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: dataDir } }));
await migrate(db);
const seeds = Array.from({ length: count }, (_, i) => ({ domain: `d${i}.kill.test`, protocol: 'matrix' as const, source: 'test' }));
const summary = await runCrawlPass({
  db, probe, seeds,
  observer: { batchStored: ({ keys }) => process.stdout.write(`ack ${keys.join(' ')}\n`) },
}, { journalDir: `${dataDir}-journal`, normalise: { reservedTlds: DEFAULT_RESERVED_TLDS.filter((t) => t !== 'test') }, batchSize: 20, batchDelayMs: 50, concurrency: 16 });
process.stdout.write(`done ${JSON.stringify({ passId: summary.passId, resumed: summary.resumed, probed: summary.probed, alreadyDone: summary.alreadyDone, repaired: summary.repaired, replayed: summary.replayed, planned: summary.planned })}\n`);
await db.close();
