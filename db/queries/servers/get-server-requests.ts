import type { Db } from '../../client.ts';
import { FACT_KINDS, isFactKind, type FactKind, type Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';

/** What Chatlas asked one server lately, per protocol: requests over the last day, and when each kind of fact was last measured. */
export interface ServerRequests {
  protocol: Protocol;
  /** Requests Chatlas sent the server in the 24 hours before `now` (each snapshot's count, crawler/net/request-budget.ts). */
  requests24h: number;
  /** Probes in those 24 hours. */
  probes24h: number;
  /** Last measurement of each kind of fact (crawler/fact-kinds.ts) in the lookback, ISO time; null when none. */
  measuredAt: Record<FactKind, string | null>;
}

/** How far back the last measurement of a kind is looked for (the weekly registration request, twice). */
const LOOKBACK_DAYS = 15;

// Raw snapshots of one domain (ORDER BY protocol, domain, observed_at: a range read per protocol). Rows from
// before kinds were stored measured every kind, as every probe did then.
const sql = `
SELECT protocol,
       sumIf(requests, observed_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC')) AS requests24h,
       countIf(observed_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC')) AS probes24h,
       maxMap(m, arrayResize(CAST([], 'Array(Int64)'), length(m), toUnixTimestamp64Milli(observed_at))) AS measured
FROM (
  SELECT protocol, observed_at, requests, if(empty(measured), {kinds:Array(String)}, CAST(measured, 'Array(String)')) AS m
  FROM server_snapshots
  WHERE domain = {domain:String}
    AND observed_at <= fromUnixTimestamp64Milli({now:Int64}, 'UTC')
    AND observed_at > fromUnixTimestamp64Milli({now:Int64}, 'UTC') - INTERVAL ${LOOKBACK_DAYS} DAY
)
GROUP BY protocol
ORDER BY protocol`;

/**
 * Requests Chatlas sent `domain` in the last 24 hours, per protocol (issue 12
 * item 2: shown on the server page), and when each kind of fact was last
 * measured (item 1: the page says how fresh each part is).
 */
export async function getServerRequests(db: Db, params: { domain: string; now: Date }): Promise<ServerRequests[]> {
  const now = params.now.getTime();
  const rows = await queryRows<{ protocol: Protocol; requests24h: number; probes24h: number; measured: [string[], number[]] }>(db, sql, {
    domain: params.domain, now, since: now - 86_400_000, kinds: [...FACT_KINDS],
  });
  return rows.map((r) => {
    const measuredAt = Object.fromEntries(FACT_KINDS.map((k) => [k, null])) as Record<FactKind, string | null>;
    r.measured[0].forEach((k, i) => {
      const at = Number(r.measured[1][i] ?? 0);
      if (isFactKind(k) && at > 0) measuredAt[k] = new Date(at).toISOString();
    });
    return { protocol: r.protocol, requests24h: Number(r.requests24h), probes24h: Number(r.probes24h), measuredAt };
  });
}
