import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../../db/client.ts';
import { loadDbConfig } from '../../../db/config.ts';
import { migrate } from '../../../db/migrate.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { syntheticNetwork } from '../../harness/synthetic.ts';
import type { ProbeResult } from '../../../crawler/types.ts';
import { SERVER_EXPORT_COLUMNS } from '../../../db/queries/export/stream-servers-export.ts';
import { GUIDE_EXPORT_COLUMNS } from '../../../guide/export-columns.ts';

const CLI = new URL('../../../jobs/cli.ts', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'chatlas-export-'));
const data = join(root, 'data');
let expectedServers = 0;
let expectedRooms = 0;

before(async () => {
  const db = await createDb(loadDbConfig({ env: { CHATLAS_DATA: data } }));
  await migrate(db);
  let last: ProbeResult[] = [];
  for (const day of syntheticNetwork({ servers: 40, days: 2, seed: 5 })) {
    await insertProbeResults(db, day);
    last = day;
  }
  // A room whose name would run as a spreadsheet formula.
  const evil = last.find((r) => r.rooms.length > 0)!;
  evil.rooms[0]!.name = '=HYPERLINK("http://evil.test","x")';
  await insertProbeResults(db, [evil], { dedupToken: 'evil' });
  expectedServers = new Set(last.map((r) => r.snapshot.domain)).size;
  expectedRooms = last.reduce((n, r) => n + r.rooms.length, 0);
  await db.close();
});
after(() => rmSync(root, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, CHATLAS_DATA: data }, encoding: 'utf8', timeout: 60_000 });

test('export servers as CSV: a header and one line per server', () => {
  const r = run(['export', 'servers', '--format', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\r\n');
  assert.match(lines[0]!, /^protocol,domain,status,software,version,registration,/);
  assert.equal(lines.length - 1, expectedServers);
  // The guide's columns follow the server's own (issue 15).
  assert.equal(lines[0], [...SERVER_EXPORT_COLUMNS, ...GUIDE_EXPORT_COLUMNS].join(','));
});

test('export servers as NDJSON: every server up lately graded by the guide, with one verdict per criterion', () => {
  const r = run(['export', 'servers']);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const up = rows.filter((x) => x.status === 'ok');
  assert.ok(up.length > 0);
  for (const x of up) {
    assert.match(String(x.grade), /^[ABC]$/, String(x.domain));
    assert.ok(typeof x.criteria_measured === 'number' && typeof x.criteria_applicable === 'number');
    // Two days of history: uptime is not known yet, never a number standing for "bad".
    assert.equal(x.uptime30, null);
    assert.equal(x.criterion_uptime, 'unknown');
    assert.equal(x.criterion_dnssec === null, x.protocol === 'matrix', String(x.domain));
  }
});

test('export rooms as NDJSON to a file, formula cells neutralised in CSV', () => {
  const file = join(root, 'rooms.ndjson');
  const r = run(['export', 'rooms', '--output', file]);
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, expectedRooms);
  assert.ok(rows.every((x) => typeof x.room_id === 'string' && typeof x.members === 'number'));
  const csv = run(['export', 'rooms', '--format', 'csv']).stdout;
  assert.match(csv, /"'=HYPERLINK\(""http:\/\/evil\.test"",""x""\)"/);
});

test('export refuses an unknown kind or format with exit 2 and one line', () => {
  for (const args of [['export', 'users'], ['export', 'rooms', '--format', 'xml']]) {
    const r = run(args);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
