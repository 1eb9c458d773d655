/**
 * A {@link RoomIndex} kept in step with the store:
 *
 * 1. loaded from its snapshot file when there is one (snapshot.ts), else
 *    built from rooms_current (FINAL) a page at a time in key order;
 * 2. then, every `pollMs`, the rows written since the newest write it has
 *    seen (rooms_current.inserted_at, migration 0013) minus `skewMs`, applied
 *    in write order: passes written by any process (this one, a crawler
 *    beside it, another node of a cluster) reach the index without a rebuild;
 *    after a snapshot load this first read catches up with what was written
 *    while the process was down;
 * 3. rows written by this process are applied at once as well
 *    ({@link RoomIndexHandle.applyWritten}, called by insertProbeResults), so
 *    the process that crawls searches its own writes immediately;
 * 4. the hidden servers and rooms (db/visibility-sql.ts) re-read on the same
 *    timer, and at once after this process changes them.
 * On a cluster every serving process builds its own index through the
 * Distributed tables, the same queries. See docs/room-search.md.
 */
import type { Db } from '../client.ts';
import { getDirectoryVisibility } from '../queries/rooms/get-directory-visibility.ts';
import { listRoomsCurrent, listRoomsWrittenSince, type RoomKey } from '../queries/rooms/list-rooms-current.ts';
import { RoomIndex, type IndexRow } from './room-index.ts';
import { readSnapshot, writeSnapshot } from './snapshot.ts';

/** Options of {@link openRoomIndex}. */
export interface RoomIndexOptions {
  /** How often writes of other processes and visibility changes are read; 0: never (call refresh()). @default 5000 */
  pollMs?: number;
  /** Rows written up to this long before the newest seen are read again: clock skew between writers (keep their clocks within it: NTP). @default 15000 */
  skewMs?: number;
  /** Rooms per page of a build from the store. @default 50000 */
  pageSize?: number;
  /** Snapshot file: loaded at start when usable, written after a build and then every `snapshotEveryMs` when changed. @default none */
  snapshotPath?: string;
  /** @default 1800000 (30 minutes) */
  snapshotEveryMs?: number;
  /** Told about a failed refresh or snapshot write (the index keeps serving what it has). */
  onError?: (error: unknown) => void;
}

/** An index being kept in step with a store. */
export interface RoomIndexHandle {
  /** The index (replaced once, when the start-up load or build is done). */
  readonly index: RoomIndex;
  /** Settles when the first build is done (rejects if it failed). */
  readonly ready: Promise<void>;
  /** Milliseconds the start-up took, once done, and whether it loaded a snapshot or built from the store. */
  readonly buildMs: number | undefined;
  readonly source: 'snapshot' | 'store' | undefined;
  /** The start-up load or build failed (the handle serves nothing; open another). */
  readonly failed: boolean;
  /** The options it was opened with (to open another alike). */
  readonly options: RoomIndexOptions;
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
  /** Write the snapshot now (no-op without `snapshotPath`). */
  save(): Promise<void>;
  /** Stop the timer; settles when a snapshot write under way is done. */
  stop(): Promise<void>;
}

/** Build (or load) an index of `db`'s room directory and keep following it. */
export function openRoomIndex(db: Db, options: RoomIndexOptions = {}): RoomIndexHandle {
  const pollMs = options.pollMs ?? 5000;
  const skewMs = options.skewMs ?? 15_000;
  const pageSize = options.pageSize ?? 50_000;
  const snapshotEveryMs = options.snapshotEveryMs ?? 1_800_000;
  let index = new RoomIndex();
  index.autoCompact = false;
  let watermark = 0;
  let building = true;
  const queued: IndexRow[][] = [];
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let stopped = false;
  let visibilityRead: Promise<void> | undefined;
  let changedSinceSave = false;
  let savedAt = 0;
  let saving: Promise<void> | undefined;

  // Rows applied while a compaction copies the index (replayed into the copy before it takes over).
  let compacting: IndexRow[][] | null = null;
  const apply = (rows: readonly IndexRow[]) => {
    if (rows.length === 0) return;
    index.apply(rows);
    changedSinceSave = true;
    if (compacting) compacting.push([...rows]);
    else if (index.needsCompaction) {
      // In slices between other work, so a million-room rebuild never stops the serving process.
      const queue: IndexRow[][] = [];
      compacting = queue;
      index.compactInSlices(() => new Promise<void>((resolve) => setImmediate(resolve)), queue)
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => { compacting = null; });
    }
  };
  const seen = (rows: readonly { inserted_at: number }[]) => {
    for (const r of rows) if (Number(r.inserted_at) > watermark) watermark = Number(r.inserted_at);
  };
  const visibility = async () => {
    const v = await getDirectoryVisibility(db);
    index.setVisibility(v.hiddenServers, v.hiddenRooms);
  };
  const catchUp = async () => {
    const rows = await listRoomsWrittenSince(db, watermark - skewMs);
    apply(rows);
    seen(rows);
  };
  const refresh = () => {
    // One refresh at a time; a caller during one waits for it and then runs its own.
    const run = async () => {
      await catchUp();
      await visibility();
    };
    refreshing = (refreshing ?? Promise.resolve()).then(run, run);
    return refreshing;
  };
  const save = async () => {
    if (!options.snapshotPath) return;
    // The state and the watermark it reflects are taken together, before any await.
    const state = index.exportState();
    const mark = watermark;
    changedSinceSave = false;
    savedAt = Date.now();
    const write = (saving ?? Promise.resolve()).then(() => writeSnapshot(options.snapshotPath!, state, mark));
    saving = write.catch(() => undefined);
    await write;
  };

  let buildMs: number | undefined;
  let source: 'snapshot' | 'store' | undefined;
  const ready = (async () => {
    const started = performance.now();
    const snapshot = options.snapshotPath ? await readSnapshot(options.snapshotPath) : null;
    if (snapshot) {
      index = RoomIndex.importState(snapshot.state);
      index.autoCompact = false;
      watermark = snapshot.watermark;
      savedAt = snapshot.savedAt;
      await catchUp();
      source = 'snapshot';
    } else {
      let after: RoomKey | null = null;
      for (;;) {
        const page = await listRoomsCurrent(db, after, pageSize);
        apply(page);
        seen(page);
        if (page.length < pageSize) break;
        after = page[page.length - 1]!;
      }
      source = 'store';
    }
    index.trim();
    await visibility();
    building = false;
    for (const rows of queued.splice(0)) apply(rows);
    buildMs = performance.now() - started;
    if (options.snapshotPath && !stopped && (source === 'store' || changedSinceSave)) save().catch((error: unknown) => options.onError?.(error));
    if (pollMs > 0 && !stopped) {
      const tick = () => {
        refresh()
          .then(() => (changedSinceSave && Date.now() - savedAt >= snapshotEveryMs ? save() : undefined))
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, pollMs).unref();
          });
      };
      timer = setTimeout(tick, pollMs).unref();
    }
  })();
  // A failed build is reported to whoever awaits `ready`; no unhandled rejection meanwhile.
  let failed = false;
  ready.catch(() => { failed = true; });

  return {
    get index() {
      return index;
    },
    ready,
    get buildMs() {
      return buildMs;
    },
    get source() {
      return source;
    },
    get failed() {
      return failed;
    },
    options,
    refresh: async () => {
      await ready;
      await refresh();
    },
    invalidateVisibility() {
      const read = ready.then(visibility).finally(() => {
        if (visibilityRead === read) visibilityRead = undefined;
      });
      visibilityRead = read;
      read.catch((error: unknown) => options.onError?.(error));
    },
    async settled() {
      await ready;
      if (visibilityRead) await visibilityRead;
    },
    applyWritten(rows) {
      if (building) queued.push([...rows]);
      else apply(rows);
    },
    save: async () => {
      await ready;
      await save();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined);
      await saving;
    },
  };
}
