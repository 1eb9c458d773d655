import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql, type Step } from '../stats/bucket-sql.ts';
import { queryRows } from '../stats/query-rows.ts';

/** Parameters of {@link getSoftwareSeries}. */
export interface SoftwareSeriesParams {
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD`. */
  to: string;
  /** @default 'day' */
  step?: Step;
  /** @default both */
  protocol?: Protocol;
}

/** Reachable servers running one implementation in one bucket. */
export interface SoftwarePoint {
  bucket: string;
  protocol: Protocol;
  software: string;
  servers: number;
}

// Reads server_daily_v1 (each server's LAST state of a day) rather than software_daily_v1, whose
// per-software sets would count a server that switched software mid-day under both names.
const sql = (bucket: string) => `
SELECT toString(bucket) AS bucket, protocol, software, count() AS servers
FROM (
  SELECT ${bucket} AS bucket, protocol, domain, argMax(status, at) AS status, argMax(software, at) AS software
  FROM (
    SELECT day, protocol, domain, max(last_at) AS at, argMaxMerge(status) AS status, argMaxMerge(software) AS software
    FROM server_daily_v1
    WHERE day >= {from:Date} AND day <= {to:Date} AND ({protocol:String} = '' OR protocol = {protocol:String})
    GROUP BY day, protocol, domain
  )
  GROUP BY bucket, protocol, domain
)
WHERE status = 'ok'
GROUP BY bucket, protocol, software
ORDER BY bucket, protocol, servers DESC, software`;

/**
 * Software share over time: per bucket, the reachable servers of each
 * implementation, each server counted once with its last state in the bucket.
 * The share is `servers / sum(servers of the bucket and protocol)`.
 */
export async function getSoftwareSeries(db: Db, params: SoftwareSeriesParams): Promise<SoftwarePoint[]> {
  return queryRows<SoftwarePoint>(db, sql(bucketSql(params.step ?? 'day')), {
    from: params.from, to: params.to, protocol: params.protocol ?? '',
  });
}
