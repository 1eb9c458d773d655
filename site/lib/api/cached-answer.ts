/**
 * Hot read answers without the framework. A GET or HEAD of an API URL whose
 * answer the response cache holds fresh is answered by the server entry
 * (jobs/serve/server.ts) straight from the cache, with the same rate limit
 * and the same added headers as the route (route.ts `finishHeaders`), but
 * without Astro's request pipeline, which costs about ten times what the
 * answer itself does (BENCHMARKS.md, API, 2026-12-07).
 *
 * Anything else (a miss, an expired entry or one still loading, a token the
 * limiter refuses) returns `null` and takes the route as before, which loads,
 * caches, refuses with 429 or answers. Only routes that opted into the cache
 * (reads: `apiRoute('read', …, { cacheSeconds })`) ever have entries, so a
 * write, a page or an uncached read never takes this path.
 */
import { apiDeps, type ApiDeps } from './deps.ts';
import { clientKey } from './rate-limiter.ts';
import { responseCacheKey, type CachedAnswer } from './response-cache.ts';
import { finishHeaders } from './route.ts';

/** The parts of a request this reads. */
export interface CachedAnswerRequest {
  method: string;
  /** Only its path and query string matter (the cache key). */
  url: URL;
  ifNoneMatch: string | null;
  /** As the server resolved it (jobs/serve/client-address.ts), the rate limit's key. */
  clientAddress: string | undefined;
}

/** The cached answer to `request` with the route's headers, or `null`: let the route answer. */
export async function cachedAnswer(request: CachedAnswerRequest): Promise<CachedAnswer | null> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  let deps: ApiDeps;
  try {
    deps = await apiDeps();
  } catch {
    // Not configured or the store is not open: the route says so (503).
    return null;
  }
  const cache = deps.responseCache;
  if (!cache) return null;
  const now = deps.now().getTime();
  const answer = cache.peek(request, responseCacheKey(request.url), now);
  if (!answer) return null;
  const decision = deps.readLimiter.take(clientKey(request.clientAddress), now);
  // A refused take spends no token: the route takes again, refuses and answers the 429 problem.
  if (!decision.allowed) return null;
  const headers = new Headers(answer.headers);
  finishHeaders(headers, decision, 'read');
  const out: [string, string][] = [];
  headers.forEach((value, name) => out.push([name, value]));
  return { ...answer, headers: out };
}
