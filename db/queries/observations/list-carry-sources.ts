import type { Db } from '../../client.ts';
import { CARRIED_COLUMNS, type CarrySource } from '../../carry-forward.ts';
import { queryRows } from '../../query-rows.ts';

const COLUMNS = [...new Set(Object.values(CARRIED_COLUMNS))].join(', ');

// The last good row of each server of the batch: complete, since it carried forward what it skipped.
// Times as epoch ms (queryRows returns 64-bit integers as numbers), as db/rows.ts writes them.
const sql = `
SELECT protocol, domain, ${COLUMNS}, report, measured,
  toUnixTimestamp64Milli(observed_at) AS observed_at,
  mapApply((k, v) -> (k, toUnixTimestamp64Milli(v)), measured_at) AS measured_at
FROM servers_last_ok FINAL
WHERE (protocol, domain) IN (SELECT arrayJoin(arrayZip({protocols:Array(String)}, {domains:Array(String)})))`;

/**
 * The last good snapshot row of each server, keyed `protocol:domain`, with the
 * columns db/carry-forward.ts carries (from an allow-list: CARRIED_COLUMNS) and
 * when that row measured each kind.
 * One query for a batch; servers never seen ok are absent.
 */
export async function listCarrySources(db: Db, servers: readonly { protocol: string; domain: string }[]): Promise<Map<string, CarrySource>> {
  if (servers.length === 0) return new Map();
  const rows = await queryRows<CarrySource & { protocol: string; domain: string }>(db, sql, {
    protocols: servers.map((s) => s.protocol),
    domains: servers.map((s) => s.domain),
  });
  return new Map(rows.map((r) => {
    const { protocol, domain, ...rest } = r;
    return [`${protocol}:${domain}`, rest];
  }));
}
