/**
 * The signing keys of other Matrix servers, fetched when one of them sends Chatlas a signed
 * request, through the crawler's guarded network layer: server discovery as the spec says
 * (well-known, SRV, 8448) with the address guard on every connection, `GET /_matrix/key/v2/server`
 * with a byte cap and a deadline, the response checked to be self-signed
 * (crawler/protocol/matrix-server-keys.ts).
 *
 * Spec: Matrix Server-Server API v1.16, "Retrieving server keys" (§ Publishing Keys,
 * `GET /_matrix/key/v2/server`) and "Request Authentication":
 * https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys
 *
 * An inbound request makes Chatlas dial out, so this is where Chatlas could become a vending
 * machine for outbound connections (anyone can name any origin). Three bounds keep it from that:
 * - a global budget of key fetches per minute (`fetchesPerMinute`), so a flood of forged
 *   origins costs a few dozen outbound fetches, not one per request;
 * - one fetch in flight per server name (concurrent requests share it), and failures are
 *   remembered (`failureTtlMs`) so a dead or forged origin is not dialled again for a while;
 * - the crawler's address guard: an origin whose keys live on a forbidden address is refused
 *   exactly as the crawler refuses to probe it.
 * Keys are kept until the response's `valid_until_ts` (capped at 7 days, as the spec caps it
 * for room versions 5+), in a bounded LRU.
 */
import { LRUCache } from 'lru-cache';
import { lruClock } from '../lib/lru-clock.ts';
import { ProbeError } from '../crawler/errors.ts';
import type { NetContext } from '../crawler/net/context.ts';
import { fetchBounded } from '../crawler/net/http.ts';
import { withDeadline } from '../crawler/net/deadline.ts';
import { resolveMatrixServer } from '../crawler/discover/matrix-resolve.ts';
import { effectiveValidUntil, parseServerKeysResponse, type VerifiedServerKeys } from '../crawler/protocol/matrix-server-keys.ts';

/** Options of {@link createRemoteKeys}. */
export interface RemoteKeysOptions {
  /** The guarded network layer (address guard, our DNS client, caps). */
  net: NetContext;
  /** Most servers whose keys are kept. @default 10000 */
  maxServers?: number;
  /** Key fetches started per minute, all origins together. @default 60 */
  fetchesPerMinute?: number;
  /** How long a failed fetch is remembered before that server is asked again, ms. @default 600000 */
  failureTtlMs?: number;
  /** Deadline of one fetch, discovery included, ms. @default 10000 */
  timeoutMs?: number;
  /** Largest key response read, bytes. @default 65536 */
  maxBytes?: number;
  /** The clock (ms). @default Date.now */
  now?: () => number;
}

/** A public key of a remote server, as verified. */
export interface RemoteKey {
  /** Unpadded base64 ed25519 public key. */
  publicKey: string;
  /** Until when (ms) this key may be used: `valid_until_ts` for a current key, `expired_ts` for an old one. */
  validUntilTs: number;
}

/** The fetcher: one per serving process. */
export interface RemoteKeys {
  /**
   * The public key `keyId` of `serverName`, fetched when not known. Returns a ProbeError
   * (never throws): `policy.rate-limited` when the fetch budget is spent, `matrix.bad-signature`
   * when the server does not publish that key, or the fetch's own error.
   */
  key(serverName: string, keyId: string): Promise<RemoteKey | ProbeError>;
  /** Key fetches made so far (for /metrics and tests). */
  readonly fetches: number;
}

type Entry = { keys: VerifiedServerKeys } | { error: ProbeError };

/** Create the remote key fetcher. */
export function createRemoteKeys(options: RemoteKeysOptions): RemoteKeys {
  const now = options.now ?? Date.now;
  const failureTtlMs = options.failureTtlMs ?? 600_000;
  const perMinute = options.fetchesPerMinute ?? 60;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  let fetches = 0;
  // Budget: the start times of the fetches of the last minute (at most `perMinute` of them).
  const recent: number[] = [];
  const cache = new LRUCache<string, Entry>({ max: options.maxServers ?? 10_000, ...lruClock(now) });
  const inFlight = new Map<string, Promise<Entry>>();

  async function fetchKeys(serverName: string): Promise<Entry> {
    fetches++;
    try {
      const keys = await withDeadline(async (signal) => {
        const resolution = await resolveMatrixServer(serverName, {
          now: new Date(now()),
          fetchWellKnown: async (host) => {
            const res = await fetchBounded(options.net, `https://${host}/.well-known/matrix/server`, { accept: 'application/json', headers: { host }, maxBytes: 64 * 1024, signal });
            return { status: res.status, bodyText: res.bodyText, headers: res.headers, redirects: res.redirects.length, finalUrl: res.finalUrl };
          },
          srv: async (name) => (await options.net.dns.srv(name, { signal })).records,
        });
        if (!resolution.endpoint) throw resolution.error ?? new ProbeError('matrix.invalid-server-name', `${serverName.slice(0, 100)}: no federation endpoint`);
        let last: ProbeError | null = null;
        for (const target of resolution.endpoint.targets.slice(0, 3)) {
          const host = target.host.includes(':') ? `[${target.host}]` : target.host;
          try {
            const res = await fetchBounded(options.net, `https://${host}:${target.port}/_matrix/key/v2/server`, {
              accept: 'application/json', headers: { host: resolution.endpoint.hostHeader }, maxBytes, maxRedirects: 0, signal,
            });
            if (res.status !== 200) throw new ProbeError('matrix.bad-response', `key server of ${serverName.slice(0, 100)} answered HTTP ${res.status}`);
            const parsed = parseServerKeysResponse(res.bodyText, serverName, { maxBytes });
            if (parsed instanceof ProbeError) throw parsed;
            return parsed;
          } catch (error) {
            last = ProbeError.from(error);
            // A refused address is refused for every target of the name the same way; a bad answer is final.
            if (last.code === 'net.forbidden-address' || last.code.startsWith('matrix.') || last.code.startsWith('json.')) break;
          }
        }
        throw last ?? new ProbeError('matrix.bad-response', 'no target');
      }, timeoutMs, 'http.timeout');
      return { keys };
    } catch (error) {
      return { error: ProbeError.from(error) };
    }
  }

  function remember(serverName: string, entry: Entry): void {
    if ('keys' in entry) {
      const ttl = Math.max(1, effectiveValidUntil(entry.keys, now()) - now());
      cache.set(serverName, entry, { ttl });
    } else {
      cache.set(serverName, entry, { ttl: failureTtlMs });
    }
  }

  function spendBudget(): boolean {
    const t = now();
    while (recent.length > 0 && recent[0]! <= t - 60_000) recent.shift();
    if (recent.length >= perMinute) return false;
    recent.push(t);
    return true;
  }

  function pick(entry: Entry, serverName: string, keyId: string): RemoteKey | ProbeError {
    if ('error' in entry) return entry.error;
    const current = entry.keys.verifyKeys[keyId];
    if (current !== undefined) return { publicKey: current, validUntilTs: effectiveValidUntil(entry.keys, now()) };
    const old = entry.keys.oldVerifyKeys[keyId];
    if (old !== undefined) return { publicKey: old.publicKey, validUntilTs: old.expiredTs };
    return new ProbeError('matrix.bad-signature', `${serverName.slice(0, 100)} publishes no key ${keyId.slice(0, 60)}`);
  }

  return {
    get fetches() { return fetches; },
    async key(serverName, keyId) {
      const known = cache.get(serverName);
      // A key id we have not seen may be a fresh rotation: ask again, within the budget.
      if (known && ('error' in known || keyId in known.keys.verifyKeys || keyId in known.keys.oldVerifyKeys)) return pick(known, serverName, keyId);
      let pending = inFlight.get(serverName);
      if (!pending) {
        if (!spendBudget()) return new ProbeError('policy.rate-limited', 'too many key fetches this minute; try again later');
        pending = fetchKeys(serverName).then((entry) => {
          remember(serverName, entry);
          return entry;
        }).finally(() => inFlight.delete(serverName));
        inFlight.set(serverName, pending);
      }
      return pick(await pending, serverName, keyId);
    },
  };
}
