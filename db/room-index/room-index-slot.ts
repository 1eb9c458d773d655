/**
 * Which room index serves which open store, for the whole process.
 *
 * Kept on `globalThis` under a registered symbol, as site/lib/store.ts keeps
 * the store: the Astro build bundles its own copy of this module, and the
 * pages' copy must find the index `chatlas serve` opened.
 */
import type { Db } from '../client.ts';
import type { RoomIndexHandle } from './open-room-index.ts';

const KEY = Symbol.for('chatlas.db.room-index');

function slots(): WeakMap<Db, RoomIndexHandle> {
  const g = globalThis as unknown as Record<symbol, WeakMap<Db, RoomIndexHandle> | undefined>;
  return (g[KEY] ??= new WeakMap());
}

/** Serve `db`'s directory searches from `handle` (replacing and stopping any earlier one). */
export function installRoomIndex(db: Db, handle: RoomIndexHandle): void {
  const held = slots().get(db);
  if (held && held !== handle) void held.stop();
  slots().set(db, handle);
}

/** The index serving `db`, if one was installed or opened. */
export function roomIndexOf(db: Db): RoomIndexHandle | undefined {
  return slots().get(db);
}

/** Stop and forget `db`'s index (the store is closing); settles when its snapshot write, if any, is done. */
export async function uninstallRoomIndex(db: Db): Promise<void> {
  const held = slots().get(db);
  slots().delete(db);
  await held?.stop();
}
