/**
 * Test helpers for the read-query suites: a fresh embedded store per test
 * file, and hand-made ProbeResults whose every number is chosen by the test,
 * so assertions can be exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createDb, type Db } from '../../../../db/client.ts';
import { migrate } from '../../../../db/migrate.ts';
import { insertProbeResults } from '../../../../db/queries/observations/insert-probe-results.ts';
import type { ProbeResult, Protocol, RoomSnapshot, ServerSnapshot } from '../../../../crawler/types.ts';

/** Open a migrated store in a new temp folder; `close()` also deletes the folder. */
export async function openTestStore(): Promise<{ db: Db; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'chatlas-queries-'));
  // CLICKHOUSE_URL selects a server for the whole suite (issue 2); each file gets its own database.
  const url = process.env.CLICKHOUSE_URL;
  const db = await createDb({
    dataDir: dir, url, user: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '',
    database: url ? `chatlas_q_${randomUUID().replaceAll('-', '').slice(0, 12)}` : 'chatlas', cluster: undefined,
  });
  await migrate(db);
  return {
    db,
    close: async () => {
      if (url) await db.client.command({ query: `DROP DATABASE IF EXISTS ${db.database}` });
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A reachable server snapshot; override any field. */
export function snap(domain: string, protocol: Protocol, at: string, over: Partial<ServerSnapshot> = {}): ServerSnapshot {
  const observedAt = new Date(at);
  return {
    passId: randomUUID(), domain, protocol, observedAt, status: 'ok',
    software: protocol === 'matrix' ? 'synapse' : 'prosody', versionRaw: '1.0.0', version: '1.0.0',
    registration: 'closed', features: [], specVersions: [],
    tls: {
      protocol: 'TLSv1.3', cipher: null, issuer: 'Test CA', subject: domain, validFrom: new Date(observedAt.getTime() - 86_400_000),
      validTo: new Date(observedAt.getTime() + 60 * 86_400_000), chainValid: true, nameValid: true, error: null,
    },
    dnssec: false, dane: false, ipv4: true, ipv6: false, publicRooms: 0, publicMembers: 0, users: null,
    endpoint: '', error: '', report: [],
    ...over,
  };
}

/** A room listed by `server` in the pass of `s`. */
export function room(s: ServerSnapshot, local: string, over: Partial<RoomSnapshot> = {}): RoomSnapshot {
  const matrix = s.protocol === 'matrix';
  return {
    passId: s.passId, protocol: s.protocol, server: s.domain, observedAt: s.observedAt,
    roomId: matrix ? `!${local}:${s.domain}` : `${local}@conference.${s.domain}`,
    address: matrix ? `#${local}:${s.domain}` : `${local}@conference.${s.domain}`,
    name: local, topic: '', members: 10, avatarUrl: '', language: 'en', worldReadable: null, guestCanJoin: null,
    joinRule: 'public', roomType: 'room', children: [],
    ...over,
  };
}

/** A ProbeResult from a snapshot and its rooms; publicRooms/publicMembers follow the rooms unless set. */
export function result(s: ServerSnapshot, rooms: RoomSnapshot[] = []): ProbeResult {
  if (rooms.length > 0) {
    s.publicRooms = rooms.length;
    s.publicMembers = rooms.reduce((n, r) => n + r.members, 0);
  }
  return {
    snapshot: s,
    rooms,
    discoveries: [],
    observations: [{
      passId: s.passId, domain: s.domain, protocol: s.protocol, step: 'dns.srv', observedAt: s.observedAt,
      outcome: s.status === 'ok' ? 'ok' : 'net.connect-timeout', durationMs: 12, facts: {}, raw: '', error: s.error,
    }],
  };
}

/** Insert results one probe per batch, as a crawler over time would. */
export async function insert(db: Db, results: ProbeResult[]): Promise<void> {
  for (const r of results) await insertProbeResults(db, [r]);
}

/** Insert a registration row (what the API's registration flow writes). */
export async function register(db: Db, row: { domain: string; state: string; hidden?: boolean; opt_out?: boolean; hidden_rooms?: string[]; updated_at?: string }): Promise<void> {
  const now = Date.parse(row.updated_at ?? '2026-11-01T00:00:00Z');
  await db.client.insert({
    table: 'registrations',
    format: 'JSONEachRow',
    values: [{
      registration_id: '00000000-0000-4000-8000-' + Buffer.from(row.domain).toString('hex').slice(0, 12).padEnd(12, '0'),
      domain: row.domain, protocol: '', state: row.state, method: 'dns-txt', token: 't', created_at: now, expires_at: now + 86_400_000,
      verified_at: row.state === 'verified' ? now : null, updated_at: now, description: '', contact: '',
      hidden: row.hidden ?? false, hidden_rooms: row.hidden_rooms ?? [], opt_out: row.opt_out ?? false, client_key: '',
    }],
  });
}
