/**
 * Ask the just-started server for its most expensive pages once, in the
 * background, so their rollup reads (seconds on a large store) are computed
 * before the first visitor arrives; the pages then keep them fresh with
 * stale-while-revalidate (site/lib/memo.ts).
 */
import type { Logger } from 'pino';

/** The pages and endpoints whose data every visitor needs first. */
export const WARM_PATHS = ['/', '/software', '/api/v1/stats', '/choose'] as const;

/** Fetch each path once, one after the other; failures are logged, never thrown. */
export async function warmUp(baseUrl: string, logger: Logger, paths: readonly string[] = WARM_PATHS): Promise<void> {
  for (const path of paths) {
    const started = Date.now();
    try {
      const res = await fetch(new URL(path, baseUrl), { signal: AbortSignal.timeout(300_000) });
      await res.arrayBuffer();
      logger.debug({ path, status: res.status, ms: Date.now() - started }, 'warmed');
    } catch (error) {
      logger.warn({ path, err: error }, 'warm-up request failed');
    }
  }
}
