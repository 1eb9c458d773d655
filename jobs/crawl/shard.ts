/**
 * Shards split the frontier between several `chatlas crawl --shard i/n`
 * workers. A domain belongs to shard `hash(domain) mod n`, so every worker
 * computes the same split on its own, no coordinator is needed, and each
 * domain (with both its protocols, so per-host politeness stays in one
 * process) is crawled by exactly one worker of a pass.
 */
import { createHash } from 'node:crypto';

/** One shard of `count`: `index` is 1-based, as written on the command line. */
export interface Shard {
  index: number;
  count: number;
}

/** The whole frontier in one worker. */
export const WHOLE: Shard = { index: 1, count: 1 };

/**
 * Parse `i/n` (1 <= i <= n <= 1024).
 * @throws {TypeError} quoting the bad value.
 * @example parseShard('2/4') // { index: 2, count: 4 }
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 1024 || index < 1 || index > count) {
    throw new TypeError(`--shard ${JSON.stringify(text)} is not valid: expected i/n with 1 <= i <= n <= 1024, e.g. 1/4`);
  }
  return { index, count };
}

/** `i/n`, or '' for the whole frontier (as stored in `passes.shard`). */
export function formatShard(shard: Shard): string {
  return shard.count === 1 ? '' : `${shard.index}/${shard.count}`;
}

/** The 1-based shard a domain belongs to among `count`. Stable across processes, machines and versions. */
export function shardOf(domain: string, count: number): number {
  if (count === 1) return 1;
  // 48 bits of SHA-1: uniform, and exact in a double so the modulo has no float error.
  const h = createHash('sha1').update(domain).digest().readUIntBE(0, 6);
  return (h % count) + 1;
}

/** True when `domain` belongs to `shard`. */
export function inShard(domain: string, shard: Shard): boolean {
  return shardOf(domain, shard.count) === shard.index;
}
