import type { Db } from '../../client.ts';
import { bucketSql, type Step } from './bucket-sql.ts';
import { queryRows } from '../../query-rows.ts';

/** Parameters of {@link getServerChurn}. */
export interface ServerChurnParams {
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD`. */
  to: string;
  /** @default 'day' */
  step?: Step;
  /** A server counts as lost once it has failed every probe for this many days. @default 7 */
  lostAfterDays?: number;
}

/** Growth and churn in one bucket. */
export interface ChurnPoint {
  bucket: string;
  /** Domains Chatlas first learned of in the bucket (`domains.first_seen`). */
  discovered: number;
  /** Servers whose last successful probe fell in the bucket and that have failed every probe since, for at least `lostAfterDays`. */
  lost: number;
}

// Both sides read one row per domain (domains folded by GROUP BY, the latest tables by FINAL), never
// the daily history, so the cost does not grow with the range.
const sql = (bucket: string) => `
SELECT toString(bucket) AS bucket, sum(d) AS discovered, sum(l) AS lost
FROM (
  SELECT ${bucket} AS bucket, 1 AS d, 0 AS l
  FROM (SELECT toDate(min(first_seen)) AS day FROM domains GROUP BY domain)
  WHERE day >= {from:Date} AND day <= {to:Date}
  UNION ALL
  SELECT ${bucket} AS bucket, 0 AS d, 1 AS l
  FROM (
    SELECT toDate(ok.observed_at) AS day
    FROM servers_last_ok AS ok FINAL
    INNER JOIN (SELECT protocol, domain, status, observed_at FROM servers_latest FINAL) AS cur
      ON cur.protocol = ok.protocol AND cur.domain = ok.domain
    WHERE cur.status != 'ok' AND cur.observed_at >= ok.observed_at + toIntervalDay({lostAfter:UInt32})
  )
  WHERE day >= {from:Date} AND day <= {to:Date}
)
GROUP BY bucket
ORDER BY bucket`;

/**
 * Growth and churn of the known network per bucket: domains discovered, and
 * servers lost (down since their last good probe for `lostAfterDays` days,
 * counted in the bucket of that last good probe).
 */
export async function getServerChurn(db: Db, params: ServerChurnParams): Promise<ChurnPoint[]> {
  return queryRows<ChurnPoint>(db, sql(bucketSql(params.step ?? 'day')), {
    from: params.from, to: params.to, lostAfter: params.lostAfterDays ?? 7,
  });
}
