/**
 * The OwnershipNet over the crawler's network layer: TXT through our own DNS
 * client (never Node's resolver) and the well-known file through
 * `fetchBounded` (address guard, byte cap, redirect cap, deadline); robots.txt
 * through the crawler's shared robots cache (crawler/probe/robots-cache.ts).
 */
import type { NetContext } from '../crawler/net/context.ts';
import { fetchBounded } from '../crawler/net/http.ts';
import { fetchRobots } from '../crawler/probe/robots-cache.ts';
import type { OwnershipNet } from './deps.ts';

/** The challenge file is one token: 4 KiB is plenty and bounds what a hostile server can send. */
export const CHALLENGE_MAX_BYTES = 4096;

/** Build the OwnershipNet of a crawler NetContext. */
export function createOwnershipNet(ctx: NetContext): OwnershipNet {
  return {
    async txt(name, signal) {
      const answer = await ctx.dns.txt(name, { signal, fresh: true });
      return answer.records;
    },
    async fetchText(url, signal) {
      // Redirects stay allowed (a web server may send / to a canonical host) but are capped and guarded hop by hop.
      const res = await fetchBounded(ctx, url, { maxBytes: CHALLENGE_MAX_BYTES, maxRedirects: 3, accept: 'text/plain', signal });
      return { status: res.status, body: res.bodyText };
    },
    async fetchRobots(domain, signal) {
      // Through the context's robots cache (RFC 9309 limits): the Matrix probe of the same origin that follows reuses it.
      const fetched = await fetchRobots(ctx, { base: `https://${domain}`, host: '' }, { signal });
      if (!fetched.response) throw fetched.error;
      return { status: fetched.response.status, body: fetched.response.bodyText };
    },
  };
}
