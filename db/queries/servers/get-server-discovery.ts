import type { Db } from '../../client.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';

/** One way a domain was found. */
export interface DiscoveryEdge {
  /** seed, srv, room-alias, muc, registration, … (crawler/types.ts DISCOVERY_VIAS). */
  via: string;
  /** The domain whose data named it, '' for seeds, the CLI and registrations. */
  source: string;
  protocol: string;
  firstAt: string | null;
  lastAt: string | null;
  times: number;
}

const sql = `
SELECT via, source_domain AS source, protocol, toString(min(found_at)) AS firstAt, toString(max(found_at)) AS lastAt,
       count() AS times
FROM discoveries
WHERE domain = {domain:String}
GROUP BY via, source, protocol
ORDER BY firstAt, via, source
LIMIT {limit:UInt32}`;

/**
 * How Chatlas found a domain: each (via, source) edge with when it was first
 * and last seen, oldest first. Call it only for a domain {@link getServer} returned.
 * @param params.limit @default 50
 */
export async function getServerDiscovery(db: Db, params: { domain: string; limit?: number }): Promise<DiscoveryEdge[]> {
  const rows = await queryRows<DiscoveryEdge>(db, sql, { domain: params.domain, limit: params.limit ?? 50 });
  return rows.map((r) => ({ ...r, firstAt: toIso(r.firstAt), lastAt: toIso(r.lastAt) }));
}
