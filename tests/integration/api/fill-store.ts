/**
 * A small filled store for the API tests: a synthetic network (seeded, 30
 * servers, 5 days) plus hostile text in one room and one server's version,
 * written through the same insert the crawler uses.
 */
import type { Db } from '../../../db/client.ts';
import { insertProbeResults } from '../../../db/queries/observations/insert-probe-results.ts';
import { syntheticNetwork } from '../../harness/synthetic.ts';

/** "Today" of the filled store. */
export const FILLED_NOW = new Date('2026-11-20T18:00:00Z');

/** A room name that a spreadsheet would run and a browser would execute, if unescaped. */
export const HOSTILE_ROOM_NAME = '=HYPERLINK("http://127.66.0.1/x","<script>alert(1)</script>")';

/** Fill `db`; returns a domain that is up on the last day and one room id. */
export async function fillStore(db: Db): Promise<{ upDomain: string; hostileRoomId: string; software: string }> {
  let last: Awaited<ReturnType<typeof syntheticNetwork>> extends Generator<infer T> ? T : never = [];
  for (const day of syntheticNetwork({ servers: 30, days: 5, roomsPerServer: 3, end: FILLED_NOW, seed: 7 })) {
    last = day;
    await insertProbeResults(db, day);
  }
  const up = last.find((r) => r.snapshot.status === 'ok' && r.rooms.length > 0);
  if (!up) throw new Error('synthetic network has no reachable server with rooms');
  const room = up.rooms[0]!;
  room.name = HOSTILE_ROOM_NAME;
  room.topic = '-2+3 @SUM(A1) "quoted", with comma\nand newline';
  room.members = 99_999;
  const observedAt = new Date(up.snapshot.observedAt.getTime() + 1000);
  for (const r of up.rooms) r.observedAt = observedAt;
  up.snapshot.observedAt = observedAt;
  up.snapshot.versionRaw = '<b>1.0</b>';
  up.observations = [];
  up.discoveries = [];
  await insertProbeResults(db, [up], { dedupToken: 'api-hostile' });
  return { upDomain: up.snapshot.domain, hostileRoomId: room.roomId, software: up.snapshot.software };
}
