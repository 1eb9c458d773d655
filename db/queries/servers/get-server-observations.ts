import type { Db } from '../../client.ts';
import { parseOutcome, type Outcome, type Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';

/** One probe step of the latest pass over a server. */
export interface ObservationRow {
  protocol: Protocol;
  step: string;
  /** `ok`, an expected result (`absent`, `auth-required`, …) or a ProbeError code; older stored values mapped (crawler/outcome.ts). */
  outcome: Outcome;
  durationMs: number;
  observedAt: string | null;
  /** Parsed facts of the step (JSON object). */
  facts: Record<string, unknown>;
  error: string;
}

// The latest pass per protocol comes from servers_latest; its observed_at bounds the range read of
// observations (ORDER BY protocol, domain, step, observed_at), so old history is never scanned.
const sql = `
SELECT o.protocol AS protocol, o.step AS step, o.outcome AS outcome, o.duration_ms AS durationMs,
       toString(o.observed_at) AS observedAt, o.facts AS facts, o.error AS error
FROM observations AS o
WHERE o.domain = {domain:String}
  AND o.observed_at >= (SELECT min(observed_at) - INTERVAL 1 DAY FROM servers_latest FINAL WHERE domain = {domain:String})
  AND (o.protocol, o.pass_id) IN (SELECT protocol, pass_id FROM servers_latest FINAL WHERE domain = {domain:String})
ORDER BY o.protocol, o.observed_at, o.step
LIMIT 200`;

/**
 * The probe steps of the latest pass over a server, in the order they ran:
 * what the health report explains. Call it only for a domain {@link getServer} returned.
 */
export async function getServerObservations(db: Db, params: { domain: string }): Promise<ObservationRow[]> {
  const rows = await queryRows<Omit<ObservationRow, 'facts' | 'outcome'> & { facts: string; outcome: string }>(db, sql, { domain: params.domain });
  return rows.map((r) => {
    let facts: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(r.facts);
      if (v && typeof v === 'object' && !Array.isArray(v)) facts = v as Record<string, unknown>;
    } catch {
      // facts cut at the byte cap: show the step without them
    }
    return { ...r, outcome: parseOutcome(r.step, r.outcome), observedAt: toIso(r.observedAt), facts };
  });
}
