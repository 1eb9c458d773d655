/**
 * Look for an opt-out without registration on one domain and record what
 * was seen in `opt_outs`, one row per source, so a record that disappears
 * lifts the opt-out on the next look. Reads go through the OwnershipNet
 * (guarded DNS, bounded HTTPS); the decision is opt-out.ts's pure check.
 * A source that could not be read (timeout, 5xx) leaves its last state alone.
 */
import type { Db } from '../db/client.ts';
import { insertOptOut } from '../db/queries/registrations/insert-opt-out.ts';
import { withDeadline } from '../crawler/net/deadline.ts';
import type { OwnershipNet } from './deps.ts';
import { OPT_OUT_TXT_VALUE, optOutTxtName, robotsOptsOut } from './opt-out.ts';

/** What one look found per source: opted out, not, or unknown (could not read). */
export interface OptOutSighting {
  dnsTxt: boolean | null;
  robots: boolean | null;
}

/** Read both signals of `domain` within `timeoutMs` each. */
export async function observeOptOut(net: OwnershipNet, domain: string, timeoutMs = 10_000): Promise<OptOutSighting> {
  let dnsTxt: boolean | null = null;
  try {
    const records = await withDeadline((signal) => net.txt(optOutTxtName(domain), signal), timeoutMs, 'dns.timeout');
    dnsTxt = records.some((r) => r.trim().toLowerCase() === OPT_OUT_TXT_VALUE);
  } catch {
    dnsTxt = null;
  }
  let robots: boolean | null = null;
  try {
    const res = await withDeadline((signal) => net.fetchRobots ? net.fetchRobots(domain, signal) : net.fetchText(`https://${domain}/robots.txt`, signal), timeoutMs, 'http.timeout');
    // RFC 9309 §2.3.1.3: 4xx means "no robots.txt" (no opt-out); 5xx says nothing about the admin's wish.
    if (res.status >= 200 && res.status < 300) robots = robotsOptsOut(res.body);
    else if (res.status >= 400 && res.status < 500) robots = false;
  } catch {
    robots = null;
  }
  return { dnsTxt, robots };
}

/** Observe `domain` and record each readable source in `opt_outs`. Returns the sighting. */
export async function refreshOptOut(db: Db, net: OwnershipNet, domain: string, now: Date, timeoutMs?: number): Promise<OptOutSighting> {
  const seen = await observeOptOut(net, domain, timeoutMs);
  if (seen.dnsTxt !== null) await insertOptOut(db, { domain, source: 'dns-txt', active: seen.dnsTxt, observedAt: now });
  if (seen.robots !== null) await insertOptOut(db, { domain, source: 'robots', active: seen.robots, observedAt: now });
  return seen;
}
