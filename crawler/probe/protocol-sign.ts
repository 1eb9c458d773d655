/**
 * Whether one probe saw any sign that a domain runs the protocol it was
 * probed for (issue 13 item 7). Every seed and discovery without a protocol
 * is probed as both, so most domains are probed for a protocol they never
 * ran: a Matrix-only domain has no XMPP SRV records and nothing on 5222.
 * Such a domain is `not-a-server` for that protocol, and the store leaves it
 * out of server counts, lists and exports (db/runs-protocol-sql.ts).
 *
 * - `seen`: something of the protocol is there (SRV records, a well-known or
 *   host-meta for it, something answering on its port), so a failure to
 *   answer makes it `unreachable` or `error`;
 * - `none`: every question was answered and none showed the protocol;
 * - `unknown`: a DNS question was left unanswered (SERVFAIL, timeout, …), so
 *   the absence of a sign proves nothing and the status stays as it was
 *   decided before the sign was known.
 *
 * The probe sees one moment; the crawl loop knows the past: a server that
 * answered before and now shows no sign is `unreachable`, not gone
 * (jobs/crawl/status-with-history.ts).
 */
import type { Outcome } from '../outcome.ts';

export const PROTOCOL_SIGNS = ['seen', 'none', 'unknown'] as const;
export type ProtocolSign = (typeof PROTOCOL_SIGNS)[number];

/**
 * DNS failures that leave a question open. NXDOMAIN, NODATA and an invalid
 * name are answers ("there is nothing"); these are not.
 */
const UNANSWERED_DNS: ReadonlySet<Outcome> = new Set<Outcome>(['dns.timeout', 'dns.servfail', 'dns.refused', 'dns.malformed', 'dns.unreachable']);

/** True when `outcome` is a DNS question left unanswered (see {@link ProtocolSign} `unknown`). */
export function isUnansweredDns(outcome: Outcome): boolean {
  return UNANSWERED_DNS.has(outcome);
}
