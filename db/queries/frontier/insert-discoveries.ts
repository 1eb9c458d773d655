import type { Db } from '../../client.ts';
import type { Discovery } from '../../../crawler/types.ts';
import { discoveryRow } from '../../rows.ts';

/**
 * Record domains found outside a probe (a server that contacted us over federation). Probes'
 * discoveries are written with their results by insertProbeResults.
 */
export async function insertDiscoveries(db: Db, discoveries: readonly Discovery[]): Promise<void> {
  if (discoveries.length === 0) return;
  await db.client.insert({ table: 'discoveries', values: discoveries.map(discoveryRow), format: 'JSONEachRow' });
}
