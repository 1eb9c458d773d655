/**
 * A {@link RoomIndex} kept in step with the store:
 *
 * 1. built from rooms_current (FINAL) a page at a time in key order;
 * 2. then, every `pollMs`, the rows written since the newest write it has
 *    seen (rooms_current.inserted_at, migration 0013) minus `skewMs`, applied
 *    in write order: passes written by any process (this one, a crawler
 *    beside it, another node of a cluster) reach the index without a rebuild;
 * 3. rows written by this process are applied at once as well
 *    ({@link RoomIndexHandle.applyWritten}, called by insertProbeResults), so
 *    the process that crawls searches its own writes immediately;
 * 4. the hidden servers and rooms (db/visibility-sql.ts) re-read on the same
 *    timer.
 * On a cluster every serving process builds its own index through the
 * Distributed tables, the same queries. See docs/room-search.md.
 */
import type { Db } from '../client.ts';
import { getDirectoryVisibility } from '../queries/rooms/get-directory-visibility.ts';
import { listRoomsCurrent, listRoomsWrittenSince, type RoomKey } from '../queries/rooms/list-rooms-current.ts';
import { RoomIndex, type IndexRow } from './room-index.ts';

/** Options of {@link openRoomIndex}. */
export interface RoomIndexOptions {
  /** How often writes of other processes and visibility changes are read; 0: never (call refresh()). @default 5000 */
  pollMs?: number;
  /** Rows written up to this long before the newest seen are read again: clock skew between writers (keep their clocks within it: NTP). @default 15000 */
  skewMs?: number;
  /** Rooms per page of the first build. @default 50000 */
  pageSize?: number;
  /** Told about a failed refresh (the index keeps serving what it has). */
  onError?: (error: unknown) => void;
}

/** An index being kept in step with a store. */
export interface RoomIndexHandle {
  readonly index: RoomIndex;
  /** Settles when the first build is done (rejects if it failed). */
  readonly ready: Promise<void>;
  /** Milliseconds the first build took, once done. */
  readonly buildMs: number | undefined;
  /** Read writes since the last refresh and the visibility now. */
  refresh(): Promise<void>;
  /**
   * The hidden servers or rooms changed in this process (a registration, an
   * opt-out): read them again; searches wait for that read ({@link settled}).
   */
  invalidateVisibility(): void;
  /** Settles when the first build and any visibility read started by {@link invalidateVisibility} are done. */
  settled(): Promise<void>;
  /** Apply rows this process just wrote (queued until the first build is done). */
  applyWritten(rows: readonly IndexRow[]): void;
  /** Stop the timer. */
  stop(): void;
}

/** Build an index of `db`'s room directory and keep following it. */
export function openRoomIndex(db: Db, options: RoomIndexOptions = {}): RoomIndexHandle {
  const pollMs = options.pollMs ?? 5000;
  const skewMs = options.skewMs ?? 15_000;
  const pageSize = options.pageSize ?? 50_000;
  const index = new RoomIndex();
  let watermark = 0;
  let building = true;
  const queued: IndexRow[][] = [];
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let stopped = false;
  let visibilityRead: Promise<void> | undefined;

  const seen = (rows: readonly { inserted_at: number }[]) => {
    for (const r of rows) if (Number(r.inserted_at) > watermark) watermark = Number(r.inserted_at);
  };
  const visibility = async () => {
    const v = await getDirectoryVisibility(db);
    index.setVisibility(v.hiddenServers, v.hiddenRooms);
  };
  const refresh = () => {
    // One refresh at a time; a caller during one waits for it and then runs its own.
    const run = async () => {
      const rows = await listRoomsWrittenSince(db, watermark - skewMs);
      index.apply(rows);
      seen(rows);
      await visibility();
    };
    refreshing = (refreshing ?? Promise.resolve()).then(run, run);
    return refreshing;
  };

  let buildMs: number | undefined;
  const ready = (async () => {
    const started = performance.now();
    let after: RoomKey | null = null;
    for (;;) {
      const page = await listRoomsCurrent(db, after, pageSize);
      index.apply(page);
      seen(page);
      if (page.length < pageSize) break;
      after = page[page.length - 1]!;
    }
    index.trim();
    await visibility();
    building = false;
    for (const rows of queued.splice(0)) index.apply(rows);
    buildMs = performance.now() - started;
    if (pollMs > 0 && !stopped) {
      const tick = () => {
        refresh().catch((error: unknown) => options.onError?.(error)).finally(() => {
          if (!stopped) timer = setTimeout(tick, pollMs).unref();
        });
      };
      timer = setTimeout(tick, pollMs).unref();
    }
  })();
  // A failed build is reported to whoever awaits `ready`; no unhandled rejection meanwhile.
  ready.catch(() => undefined);

  const handle: RoomIndexHandle = {
    index,
    ready,
    get buildMs() {
      return buildMs;
    },
    refresh: async () => {
      await handle.ready;
      await refresh();
    },
    invalidateVisibility() {
      const read = handle.ready.then(visibility).finally(() => {
        if (visibilityRead === read) visibilityRead = undefined;
      });
      visibilityRead = read;
      read.catch((error: unknown) => options.onError?.(error));
    },
    async settled() {
      await handle.ready;
      if (visibilityRead) await visibilityRead;
    },
    applyWritten(rows) {
      if (building) queued.push([...rows]);
      else index.apply(rows);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
  return handle;
}
