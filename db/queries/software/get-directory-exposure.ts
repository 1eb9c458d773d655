import type { Db } from '../../client.ts';
import type { DirectoryExposure } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { HIDDEN_DOMAINS_SQL } from '../../visibility-sql.ts';
import { softwareGroupSql } from './software-group-sql.ts';

/** Reachable Matrix servers per room-directory exposure; `software` is '' for the row over all implementations. */
export interface DirectoryExposureRow {
  software: string;
  directory: DirectoryExposure;
  servers: number;
}

// Each reachable Matrix server once, with its latest state; servers whose snapshot predates the
// measurement ('' stored) are left out rather than counted as sharing nothing.
const sql = `
SELECT sw AS software, directory, count() AS servers
FROM (
  SELECT ${softwareGroupSql('protocol', 'software')} AS sw, directory
  FROM servers_latest FINAL
  WHERE protocol = 'matrix' AND status = 'ok' AND directory != '' AND domain NOT IN (${HIDDEN_DOMAINS_SQL})
)
GROUP BY GROUPING SETS ((directory), (sw, directory))
ORDER BY software, servers DESC, directory`;

/**
 * How Matrix servers share their public room directory, per implementation: only with
 * clients (`client`), only with other servers (`federation`), `both` or `none`. Nobody else
 * publishes this; Synapse's defaults share neither with a stranger without a token.
 */
export async function getDirectoryExposure(db: Db): Promise<DirectoryExposureRow[]> {
  return queryRows<DirectoryExposureRow>(db, sql, {});
}
