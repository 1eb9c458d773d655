import type { Db } from '../../client.ts';
import { bucketSql, type Step } from '../stats/bucket-sql.ts';
import { queryRows } from '../stats/query-rows.ts';

/** Parameters of {@link getVersionSeries}. */
export interface VersionSeriesParams {
  /** Normalised software name, e.g. `synapse`. */
  software: string;
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD`. */
  to: string;
  /** @default 'day' */
  step?: Step;
}

/** Reachable servers of one implementation on one version in one bucket. */
export interface VersionPoint {
  bucket: string;
  /** `major.minor.patch`, or '' when the server hides or garbles its version. */
  version: string;
  servers: number;
}

const sql = (bucket: string) => `
SELECT toString(bucket) AS bucket, version, count() AS servers
FROM (
  SELECT ${bucket} AS bucket, protocol, domain,
         argMax(status, at) AS status, argMax(software, at) AS software, argMax(version, at) AS version
  FROM (
    SELECT day, protocol, domain, max(last_at) AS at,
           argMaxMerge(status) AS status, argMaxMerge(software) AS software, argMaxMerge(version) AS version
    FROM server_daily_v1
    WHERE day >= {from:Date} AND day <= {to:Date}
    GROUP BY day, protocol, domain
  )
  GROUP BY bucket, protocol, domain
)
WHERE status = 'ok' AND software = {software:String}
GROUP BY bucket, version
ORDER BY bucket, servers DESC, version`;

/**
 * Versions of one implementation over time: per bucket, reachable servers per
 * version, each server once with its last state in the bucket (a server that
 * upgraded mid-day counts under its new version only).
 */
export async function getVersionSeries(db: Db, params: VersionSeriesParams): Promise<VersionPoint[]> {
  return queryRows<VersionPoint>(db, sql(bucketSql(params.step ?? 'day')), {
    software: params.software, from: params.from, to: params.to,
  });
}
