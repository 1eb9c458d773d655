/**
 * A per-client token bucket with bounded memory.
 *
 * Each key holds a bucket of `capacity` tokens refilled at `refillPerSecond`.
 * Memory is capped by `maxKeys`: the Map is kept in least-recently-used order
 * (a touched key is moved to the end), and the oldest bucket is dropped when
 * the cap is reached. A dropped bucket comes back full, which favours the
 * client, but only the least active clients are ever dropped.
 */
import ipaddr from 'ipaddr.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Tokens a bucket holds (the burst). @default 60 */
  capacity?: number;
  /** Tokens added per second. @default 1 */
  refillPerSecond?: number;
  /** Buckets kept at most. @default 10000 */
  maxKeys?: number;
}

/** The outcome of {@link RateLimiter.take}. */
export interface RateDecision {
  allowed: boolean;
  /** The bucket's capacity (RateLimit-Limit). */
  limit: number;
  /** Whole tokens left after this request (RateLimit-Remaining). */
  remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  resetSeconds: number;
  /** Seconds until the request would be allowed (Retry-After); 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  /** Time of the last refill, ms. */
  at: number;
}

export class RateLimiter {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly maxKeys: number;
  /** Buckets in least-recently-used order: the first key is the next to be dropped. */
  #buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions = {}) {
    this.capacity = options.capacity ?? 60;
    this.refillPerSecond = options.refillPerSecond ?? 1;
    this.maxKeys = options.maxKeys ?? 10_000;
    for (const [name, value] of [['capacity', this.capacity], ['refillPerSecond', this.refillPerSecond], ['maxKeys', this.maxKeys]] as const) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new TypeError(`RateLimiter option ${name} must be a positive number, got ${JSON.stringify(value)}`);
      }
    }
  }

  /** Buckets currently held (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Take `cost` tokens from `key`'s bucket at time `now` (ms). */
  take(key: string, now: number = Date.now(), cost = 1): RateDecision {
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key);
      const elapsed = Math.max(0, now - bucket.at) / 1000;
      bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.refillPerSecond);
      bucket.at = now;
    } else {
      while (this.#buckets.size >= this.maxKeys) {
        const oldest = this.#buckets.keys().next().value as string;
        this.#buckets.delete(oldest);
      }
      bucket = { tokens: this.capacity, at: now };
    }
    this.#buckets.set(key, bucket);
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    const missing = this.capacity - bucket.tokens;
    return {
      allowed,
      limit: this.capacity,
      remaining: Math.floor(bucket.tokens),
      resetSeconds: Math.ceil(missing / this.refillPerSecond),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((cost - bucket.tokens) / this.refillPerSecond)),
    };
  }
}

/**
 * The bucket key of a client address. IPv6 clients are grouped by /64, the
 * smallest block a site normally gets, so rotating addresses inside one
 * network does not multiply the allowance. Unparsable input is one shared key.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  try {
    let ip = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    if (ip.kind() === 'ipv4') return ip.toString();
    const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
    return `${parts.join(':')}::/64`;
  } catch {
    return 'unknown';
  }
}

/** The RateLimit-* and Retry-After headers of a decision. */
export function rateLimitHeaders(decision: RateDecision, headers: Headers): void {
  headers.set('ratelimit-limit', String(decision.limit));
  headers.set('ratelimit-remaining', String(decision.remaining));
  headers.set('ratelimit-reset', String(decision.resetSeconds));
  if (!decision.allowed) headers.set('retry-after', String(decision.retryAfterSeconds));
}
