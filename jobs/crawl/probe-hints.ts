/**
 * Politeness hints a probe reports in its observations' facts, read by the
 * crawl loop so later plans honour them (jobs/crawl/schedule.ts caps them again).
 */
import { parseRetryAfter } from '../../crawler/policy/politeness.ts';
import type { ProbeResult } from '../../crawler/types.ts';

/** The most a server can push its next probe back through Retry-After (the schedule caps it at its ceiling too). */
const MAX_RETRY_AFTER_MS = 30 * 86_400_000;

/**
 * A `Retry-After` a probe saw, as an absolute time. Read from any observation's facts:
 * `retryAfterMs` (relative), `retryAfterUntil` (ISO time) or `retryAfter` (the raw header,
 * delta-seconds or HTTP-date, parsed as RFC 9110 §10.2.3 says by crawler/policy/politeness.ts).
 */
export function retryAfterOf(result: ProbeResult): Date | null {
  let best: number | null = null;
  for (const o of result.observations) {
    const f = o.facts ?? {};
    const at = o.observedAt.getTime();
    let ms: number | null = null;
    if (typeof f.retryAfterMs === 'number' && Number.isFinite(f.retryAfterMs) && f.retryAfterMs > 0) ms = f.retryAfterMs;
    else if (typeof f.retryAfterUntil === 'string' && Number.isFinite(Date.parse(f.retryAfterUntil))) ms = Date.parse(f.retryAfterUntil) - at;
    else if (typeof f.retryAfter === 'string') ms = parseRetryAfter(f.retryAfter, at);
    if (ms === null || ms <= 0) continue;
    const t = at + Math.min(ms, MAX_RETRY_AFTER_MS);
    if (best === null || t > best) best = t;
  }
  return best === null ? null : new Date(best);
}

/** robots.txt `Crawl-delay` a probe saw (`facts.crawlDelaySeconds`), in ms, at most one day. */
export function crawlDelayOf(result: ProbeResult): number | null {
  let best: number | null = null;
  for (const o of result.observations) {
    const v = o.facts?.crawlDelaySeconds;
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) best = Math.max(best ?? 0, Math.min(v * 1000, 86_400_000));
  }
  return best;
}
