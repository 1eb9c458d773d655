/**
 * Migration 0018's backfill: a store with snapshots written before
 * server_first_seen_v1 existed gets every server's first snapshot, and the
 * guide reads it (db/queries/guide/list-guide-facts.ts); snapshots written
 * after go through the view and never move a first time later.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../../../../db/client.ts';
import { loadDbConfig } from '../../../../db/config.ts';
import { loadMigrations, migrate } from '../../../../db/migrate.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import { listGuideFacts } from '../../../../db/queries/guide/list-guide-facts.ts';
import { rows } from '../../../harness/store.ts';
import { result, snap } from '../queries/store.ts';

const before18 = () => loadMigrations().filter((m) => m.version < 18);

describe('server_first_seen_v1 backfill (migration 0018)', () => {
  let db: Db;
  let cleanup: () => Promise<void>;

  before(async () => {
    const url = process.env.CLICKHOUSE_URL;
    const dir = mkdtempSync(join(tmpdir(), 'chatlas-first-seen-'));
    const database = `chatlas_test_${randomBytes(6).toString('hex')}`;
    db = await createDb(loadDbConfig({ env: url ? { ...process.env, CLICKHOUSE_DATABASE: database } : { CHATLAS_DATA: join(dir, 'data') } }));
    cleanup = async () => {
      if (url) await db.client.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
    // A store as it was before 0018: three days of probes of two servers, the older one down on its first.
    await migrate(db, before18());
    await insertProbeResults(db, [
      result(snap('old.test', 'xmpp', '2026-11-01T08:00:00Z', { status: 'unreachable', software: 'unknown', version: '', versionRaw: '', tls: null })),
      result(snap('old.test', 'xmpp', '2026-11-01T09:30:00Z')),
    ]);
    await insertProbeResults(db, [result(snap('old.test', 'xmpp', '2026-11-20T08:00:00Z')), result(snap('mid.test', 'matrix', '2026-11-20T10:00:00Z'))]);
    await migrate(db);
    // After the migration: a later probe of a known server and a new server, through the view.
    await insertProbeResults(db, [result(snap('old.test', 'xmpp', '2026-12-01T08:00:00Z')), result(snap('new.test', 'xmpp', '2026-12-01T09:00:00Z'))]);
  });

  after(async () => { await cleanup(); });

  it('holds the first snapshot of every server, whatever its status', async () => {
    const firsts = await rows<{ k: string; first: string }>(db, `
      SELECT concat(protocol, ':', domain) AS k, toString(min(first_at)) AS first
      FROM server_first_seen_v1 GROUP BY protocol, domain ORDER BY k`);
    assert.deepEqual(firsts, [
      { k: 'matrix:mid.test', first: '2026-11-20 10:00:00.000' },
      { k: 'xmpp:new.test', first: '2026-12-01 09:00:00.000' },
      { k: 'xmpp:old.test', first: '2026-11-01 08:00:00.000' },
    ]);
  });

  it('is what the guide shows as first seen', async () => {
    const facts = await listGuideFacts(db, { now: new Date('2026-12-02T00:00:00Z') });
    assert.deepEqual(
      Object.fromEntries(facts.map((f) => [`${f.protocol}:${f.domain}`, f.firstSeenAt])),
      { 'xmpp:old.test': '2026-11-01T08:00:00.000Z', 'matrix:mid.test': '2026-11-20T10:00:00.000Z', 'xmpp:new.test': '2026-12-01T09:00:00.000Z' },
    );
  });
});
