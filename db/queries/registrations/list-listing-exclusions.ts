import type { Db } from '../../client.ts';
import { HIDDEN_DOMAINS_SQL, HIDDEN_ROOMS_SQL } from '../../visibility-sql.ts';

/** What the public listings leave out. */
export interface ListingExclusions {
  /** Domains hidden from server lists, or opted out (by registration, DNS TXT or robots.txt). */
  hiddenServers: string[];
  /** Room ids hidden from the directory. */
  hiddenRooms: string[];
}

/**
 * The domains and rooms every listing query leaves out, read through the one definition of
 * "hidden" that those queries filter on (db/visibility-sql.ts). There used to be a second,
 * hand-written definition here that ignored the opt_outs table, and the tests checked it
 * instead of what production ran.
 */
export async function listListingExclusions(db: Db): Promise<ListingExclusions> {
  const [servers, rooms] = await Promise.all([
    db.client.query({ query: `SELECT DISTINCT domain FROM (${HIDDEN_DOMAINS_SQL}) ORDER BY domain`, format: 'JSONEachRow' }),
    db.client.query({ query: `SELECT DISTINCT room_id FROM (${HIDDEN_ROOMS_SQL}) ORDER BY room_id`, format: 'JSONEachRow' }),
  ]);
  return {
    hiddenServers: (await servers.json<{ domain: string }>()).map((r) => r.domain),
    hiddenRooms: (await rooms.json<{ room_id: string }>()).map((r) => r.room_id),
  };
}
