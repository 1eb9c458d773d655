/**
 * Hands the open store to pages and API routes.
 *
 * The server entry (jobs/serve/server.ts) opens the store once and calls
 * {@link setStore}; pages call {@link getStore}. Nothing in site/ opens the
 * store or reads the environment, except the `astro dev` fallback below.
 *
 * The value lives on `globalThis` under a registered symbol, not in a module
 * variable: `astro build` bundles site/ into dist/server, so the copy of this
 * module that pages import is not the one jobs/serve/server.ts imports from source.
 * A module-level `let` would leave the pages' copy empty.
 */
import type { Db } from '../../db/client.ts';

const KEY = Symbol.for('chatlas.site.store');

interface Slot {
  db?: Db;
  /** Opens a store on first use (dev server only). */
  opening?: Promise<Db>;
}

function slot(): Slot {
  const g = globalThis as unknown as Record<symbol, Slot | undefined>;
  return (g[KEY] ??= {});
}

/** Install the open store (server start, or a test's `before`). */
export function setStore(db: Db | undefined): void {
  const s = slot();
  s.db = db;
  s.opening = undefined;
}

/**
 * The store pages read. Under `astro dev` (no server entry ran), it opens the
 * embedded store named by CHATLAS_DATA (default ./data) on first use.
 * @throws when no store was installed outside `astro dev`.
 */
export async function getStore(): Promise<Db> {
  const s = slot();
  if (s.db) return s.db;
  // import.meta.env is Vite's; typed loosely because tsc checks site/lib without Astro's ambient types.
  if (!(import.meta as { env?: { DEV?: boolean } }).env?.DEV) throw new Error('no store: the server entry must call setStore(db) before serving pages');
  s.opening ??= (async () => {
    const { createDb } = await import('../../db/client.ts');
    const { migrate } = await import('../../db/migrate.ts');
    const { loadDbConfig } = await import('../../db/config.ts');
    // `astro dev` fallback: the only place in site/ that reads the environment.
    const db = await createDb(loadDbConfig({ env: process.env }));
    await migrate(db);
    s.db = db;
    return db;
  })();
  return s.opening;
}
