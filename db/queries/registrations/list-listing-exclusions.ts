import type { Db } from '../../client.ts';

/** What verified admins removed from the public listings. */
export interface ListingExclusions {
  /** Domains hidden from server lists, or opted out. */
  hiddenServers: string[];
  /** Room ids hidden from the directory. */
  hiddenRooms: string[];
}

/**
 * Hidden servers and rooms of verified registrations, and opted-out domains:
 * the site's and API's listing queries leave these out.
 */
export async function listListingExclusions(db: Db): Promise<ListingExclusions> {
  const rs = await db.client.query({
    query: `SELECT domain, argMax(hidden, updated_at) AS hidden, argMax(hidden_rooms, updated_at) AS hidden_rooms,
              argMax(opt_out, updated_at) AS opt_out, argMax(state, updated_at) AS state
      FROM registrations GROUP BY registration_id, domain
      HAVING state IN ('verified', 'removed') AND (hidden OR opt_out OR notEmpty(hidden_rooms))`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ domain: string; hidden: boolean | number; hidden_rooms: string[]; opt_out: boolean | number }>();
  const servers = new Set<string>();
  const rooms = new Set<string>();
  for (const r of rows) {
    if (r.hidden || r.opt_out) servers.add(r.domain);
    for (const room of r.hidden_rooms) rooms.add(room);
  }
  return { hiddenServers: [...servers].sort(), hiddenRooms: [...rooms].sort() };
}
