/**
 * Servers that contacted Chatlas over federation, with a verified signature, become discoveries
 * (`via: contacted-us`): the crawler probes them like any other domain it has heard of. Each origin
 * is written at most once a day per process, and only names the frontier would keep.
 */
import { LRUCache } from 'lru-cache';
import { lruClock } from '../lib/lru-clock.ts';
import { normaliseDomain, type NormaliseOptions } from '../crawler/discover/domain-name.ts';
import type { Discovery } from '../crawler/types.ts';
import type { VerifiedOrigin } from './verify-inbound.ts';

/** Options of {@link createOriginRecorder}. */
export interface OriginRecorderOptions {
  /** Stores the discovery (db/queries/frontier/insert-discoveries.ts). */
  insert: (discoveries: Discovery[]) => Promise<void>;
  /** The frontier's domain rules. @default the frontier's defaults */
  normalise?: NormaliseOptions;
  /** Origins remembered as already written today. @default 10000 */
  maxOrigins?: number;
  /** Where a failed write is reported. */
  onError?: (error: unknown) => void;
  /** The clock (ms). @default Date.now */
  now?: () => number;
}

/** Build the `onOrigin` callback of the federation handler. */
export function createOriginRecorder(options: OriginRecorderOptions): (origin: VerifiedOrigin) => void {
  const now = options.now ?? Date.now;
  const seen = new LRUCache<string, true>({ max: options.maxOrigins ?? 10_000, ttl: 86_400_000, ...lruClock(now) });
  return (origin) => {
    const n = normaliseDomain(origin.origin, { ...options.normalise, protocol: 'matrix' });
    if (!n.ok || seen.has(n.domain)) return;
    seen.set(n.domain, true);
    const discovery: Discovery = { domain: n.domain, protocol: 'matrix', via: 'contacted-us', sourceDomain: '', foundAt: new Date(now()) };
    options.insert([discovery]).catch((error: unknown) => {
      seen.delete(n.domain);
      options.onError?.(error);
    });
  };
}
