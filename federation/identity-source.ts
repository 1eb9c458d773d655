/**
 * The federation identity as a long-running process holds it: read from the store at start
 * (created there on the very first start), read again once `refreshMs` has passed so a
 * `chatlas keys rotate` by another process is picked up, one read at a time, and the key
 * already held kept when a read fails (it is still ours to sign with).
 */
import type { Db } from '../db/client.ts';
import { loadOrCreateIdentity, type MatrixIdentity } from './identity.ts';
import type { FederationIdentity } from '../crawler/probe/matrix-signed.ts';

/** Options of {@link createIdentitySource}. */
export interface IdentitySourceOptions {
  /** How often the store is read again, ms. @default 60000 */
  refreshMs?: number;
  /** The clock (ms). @default Date.now */
  now?: () => number;
  /** A rotation seen, or a failed read (the held key stays in use). */
  onChange?: (next: MatrixIdentity, previous: MatrixIdentity) => void;
  onError?: (error: unknown) => void;
}

/** The identity of now. */
export interface IdentitySource {
  current(): Promise<MatrixIdentity>;
}

/** Load (or create) the identity of `serverName` and keep it fresh. */
export async function createIdentitySource(db: Db, serverName: string, options: IdentitySourceOptions = {}): Promise<IdentitySource> {
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 60_000;
  let identity = await loadOrCreateIdentity(db, serverName, new Date(now()));
  let readAt = now();
  // One read at a time: callers that arrive while it runs share it.
  let reading: Promise<void> | null = null;
  return {
    async current() {
      if (now() - readAt >= refreshMs && !reading) {
        readAt = now();
        reading = loadOrCreateIdentity(db, serverName, new Date(now())).then((next) => {
          if (next.current.keyId !== identity.current.keyId) options.onChange?.(next, identity);
          identity = next;
        }, (error: unknown) => options.onError?.(error)).finally(() => { reading = null; });
      }
      if (reading) await reading;
      return identity;
    },
  };
}

/** What the crawler signs its federation requests with: the server name and the current key. */
export async function crawlerIdentity(source: IdentitySource): Promise<FederationIdentity> {
  const identity = await source.current();
  return { serverName: identity.serverName, key: identity.current };
}
