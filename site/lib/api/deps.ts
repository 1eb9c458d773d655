/**
 * What the API routes need at run time, handed over once by the server entry
 * (or a test) with {@link configureApi}. Routes never read `process.env` and
 * never open the store themselves, so a test can run any route handler with a
 * temporary store and injected network functions.
 */
import type { Db } from '../../../db/client.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { RegistrationDeps } from '../../../jobs/registration/deps.ts';

/** The API's run-time dependencies. */
export interface ApiDeps {
  db: Db;
  /** Bucket for GET requests per client. */
  readLimiter: RateLimiter;
  /** Bucket for POST/PATCH requests per client (much smaller). */
  writeLimiter: RateLimiter;
  /** Key that signs paging cursors; random per process unless configured. */
  cursorKey: Uint8Array;
  /** Registration settings and network functions. */
  registration: RegistrationDeps;
  /** The clock. @default () => new Date() */
  now: () => Date;
  /** Where unexpected errors are reported. @default console.error */
  log?: (message: string, error: unknown) => void;
}

let current: Promise<ApiDeps> | undefined;
let provider: (() => Promise<ApiDeps>) | undefined;

/** Install the dependencies (server start, or a test's `before`). */
export function configureApi(deps: ApiDeps | Promise<ApiDeps>): void {
  current = Promise.resolve(deps);
}

/**
 * Install a lazy provider, called on the first API request (the server entry
 * uses this so the store is opened once, on demand).
 */
export function setApiDepsProvider(make: () => Promise<ApiDeps>): void {
  provider = make;
  current = undefined;
}

/** Forget the dependencies (tests' `after`). */
export function resetApi(): void {
  current = undefined;
  provider = undefined;
}

/** The installed dependencies. @throws when neither deps nor a provider were installed. */
export function apiDeps(): Promise<ApiDeps> {
  if (!current) {
    if (!provider) return Promise.reject(new Error('the API is not configured: call configureApi() or setApiDepsProvider() at server start'));
    current = provider();
    // A failed provider (store busy) must not poison every later request.
    current.catch(() => { current = undefined; });
  }
  return current;
}

/** Default limiters: 120 reads burst, 2/s sustained; 10 writes burst, one per 30 s sustained. */
export function defaultLimiters(): Pick<ApiDeps, 'readLimiter' | 'writeLimiter'> {
  return {
    readLimiter: new RateLimiter({ capacity: 120, refillPerSecond: 2, maxKeys: 20_000 }),
    writeLimiter: new RateLimiter({ capacity: 10, refillPerSecond: 1 / 30, maxKeys: 20_000 }),
  };
}
