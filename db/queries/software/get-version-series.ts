import type { Db } from '../../client.ts';
import type { Protocol } from '../../../crawler/types.ts';
import { bucketSql, type Step } from '../stats/bucket-sql.ts';
import { networkCellsSql } from '../stats/network-cells-sql.ts';
import { planNetworkCells } from '../stats/plan-network-cells.ts';
import { queryRows } from '../../query-rows.ts';
import { softwareGroupSql } from './software-group-sql.ts';

/** Parameters of {@link getVersionSeries}. */
export interface VersionSeriesParams {
  /** Software key, e.g. `synapse` or `unrecognised` (softwareGroupSql). */
  software: string;
  /** First day, inclusive, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive, `YYYY-MM-DD`. */
  to: string;
  /** @default 'day' */
  step?: Step;
  /**
   * Only servers of this protocol: a software key can stand for different software in each
   * (`ejabberd` is ejabberd's Matrix gateway in Matrix, its XMPP server in XMPP). @default both
   */
  protocol?: Protocol;
}

/** Reachable servers of one implementation on one version in one bucket. */
export interface VersionPoint {
  bucket: string;
  /** `major.minor.patch`, or '' when the server hides or garbles its version. */
  version: string;
  servers: number;
}

// Each server counts once per bucket, under its last software and version there (networkCellsSql);
// `software` is a software key (softwareGroupSql), so `unrecognised` gathers every name it stands for.
const sql = (bucket: string) => `
SELECT toString(bucket) AS bucket, version, sum(reachable) AS servers
FROM (${networkCellsSql(bucket)})
WHERE ${softwareGroupSql('protocol', 'software')} = {software:String}
GROUP BY bucket, version
HAVING servers > 0
ORDER BY bucket, servers DESC, version`;

/**
 * Versions of one implementation over time: per bucket, reachable servers per
 * version, each server once with its last state in the bucket (a server that
 * upgraded mid-day counts under its new version only).
 */
export async function getVersionSeries(db: Db, params: VersionSeriesParams): Promise<VersionPoint[]> {
  const step = params.step ?? 'day';
  const plan = await planNetworkCells(db, { from: params.from, to: params.to, step, protocol: params.protocol ?? '' });
  return queryRows<VersionPoint>(db, sql(bucketSql(step)), { ...plan.params, software: params.software });
}
