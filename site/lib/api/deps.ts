/**
 * What the API routes need at run time, handed over once by the server entry
 * (or a test) with {@link configureApi}. Routes never read `process.env` and
 * never open the store themselves, so a test can run any route handler with a
 * temporary store and injected network functions.
 */
import type { Db } from '../../../db/client.ts';
import { RateLimiter } from './rate-limiter.ts';
import { ResponseCache } from './response-cache.ts';
import type { RegistrationDeps } from '../../../registration/deps.ts';

/** The API's run-time dependencies. */
export interface ApiDeps {
  db: Db;
  /** Bucket for GET requests per client. */
  readLimiter: RateLimiter;
  /** Bucket for POST/PATCH requests per client (much smaller). */
  writeLimiter: RateLimiter;
  /** Short-lived cache of read answers (routes opt in with a TTL); absent: no caching. */
  responseCache?: ResponseCache;
  /** Key that signs paging cursors; random per process unless configured. */
  cursorKey: Uint8Array;
  /** Registration settings and network functions. */
  registration: RegistrationDeps;
  /** The clock. @default () => new Date() */
  now: () => Date;
  /** Where unexpected errors are reported. @default console.error */
  log?: (message: string, error: unknown) => void;
}

/**
 * The installed value lives on `globalThis` under a registered symbol, as in
 * site/lib/store.ts: `astro build` bundles site/ into dist/server, so the
 * copy of this module the routes import is not the one the server entry
 * imports from source, and a module-level variable would not be shared.
 */
const KEY = Symbol.for('chatlas.api.deps');

interface Slot {
  current?: Promise<ApiDeps> | undefined;
  provider?: (() => Promise<ApiDeps>) | undefined;
}

function slot(): Slot {
  const g = globalThis as unknown as Record<symbol, Slot | undefined>;
  return (g[KEY] ??= {});
}

/** Install the dependencies (server start, or a test's `before`). */
export function configureApi(deps: ApiDeps | Promise<ApiDeps>): void {
  slot().current = Promise.resolve(deps);
}

/**
 * Install a lazy provider, called on the first API request (the server entry
 * uses this so the store is opened once, on demand).
 */
export function setApiDepsProvider(make: () => Promise<ApiDeps>): void {
  const s = slot();
  s.provider = make;
  s.current = undefined;
}

/** Forget the dependencies (tests' `after`). */
export function resetApi(): void {
  const s = slot();
  s.current = undefined;
  s.provider = undefined;
}

/**
 * The installed dependencies. Without configureApi() or a provider, the API
 * runs on the site's store (site/lib/store.ts) with default limits and no
 * ownership network: reads work, and verification reports `internal` until
 * the server entry installs a net (see registration/ownership-net.ts).
 */
export function apiDeps(): Promise<ApiDeps> {
  const s = slot();
  if (!s.current) {
    const make = s.provider ?? siteStoreDeps;
    const pending = make();
    s.current = pending;
    // A failed provider (store busy) must not poison every later request.
    pending.catch(() => { if (s.current === pending) s.current = undefined; });
  }
  return s.current;
}

async function siteStoreDeps(): Promise<ApiDeps> {
  const { getStore } = await import('../store.ts');
  const { randomBytes } = await import('node:crypto');
  const unavailable = async (): Promise<never> => { throw new Error('ownership checks are not configured on this server'); };
  return {
    db: await getStore(),
    ...defaultLimiters(),
    cursorKey: randomBytes(32),
    registration: { net: { txt: unavailable, fetchText: unavailable } },
    now: () => new Date(),
  };
}

/**
 * Default limiters: 120 reads burst, 2/s sustained; 10 writes burst, one per
 * 30 s sustained; and the default read-answer cache (256 entries).
 */
export function defaultLimiters(): Pick<ApiDeps, 'readLimiter' | 'writeLimiter' | 'responseCache'> {
  return {
    responseCache: new ResponseCache(),
    readLimiter: new RateLimiter({ capacity: 120, refillPerSecond: 2, maxKeys: 20_000 }),
    writeLimiter: new RateLimiter({ capacity: 10, refillPerSecond: 1 / 30, maxKeys: 20_000 }),
  };
}
