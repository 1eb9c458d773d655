/**
 * Which stored servers run the protocol they were probed for (issue 13 item 7).
 * Every seed and discovery without a protocol is probed as both, so a
 * Matrix-only domain also has XMPP snapshots; the probe writes them
 * `not-a-server` when it saw no sign of XMPP (crawler/probe/protocol-sign.ts),
 * and the crawl loop keeps `unreachable` for a server that answered before
 * (jobs/crawl/status-with-history.ts). Every reader that counts, lists or
 * exports servers filters through {@link runsProtocolSql}, so "servers",
 * "probed" and "reachable / probed" are over servers that run the protocol.
 *
 * Snapshots written before this rule held `unreachable` for such domains
 * (there was no way to tell them apart then): their latest state changes at
 * their next probe (a failing server is re-probed at least weekly,
 * jobs/crawl/schedule.ts `ceilingMs`), and the days before keep what was
 * recorded until they leave the 30-day windows.
 */
import type { ServerStatus } from '../crawler/types.ts';

/** The status of a domain that shows no sign of the protocol. */
export const NOT_A_SERVER: ServerStatus = 'not-a-server';

/**
 * SQL condition: the row's status is one of a server that runs the protocol.
 * @param status the status column or expression (from code, never from a request).
 * @example `WHERE ${runsProtocolSql('l.status')}`
 */
export function runsProtocolSql(status: string): string {
  return `${status} != '${NOT_A_SERVER}'`;
}
