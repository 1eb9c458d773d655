import type { Db } from '../../client.ts';
import { FACT_KINDS, kindOfStep, parseOutcome, type Outcome, type Protocol } from '../../../crawler/types.ts';
import { queryRows } from '../../query-rows.ts';
import { toIso } from '../../to-iso.ts';

/** One probe step of the last pass that measured its kind of fact on a server. */
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

/** How far back the last measurement of a kind is looked for: the weekly registration request, twice. */
const LOOKBACK_DAYS = 15;

// The last pass per protocol and kind of fact (crawler/fact-kinds.ts): every snapshot measured liveness,
// so the latest pass is always one of them; rows from before kinds were stored measured every kind. Those
// passes' observed_at bound the range read of observations (ORDER BY protocol, domain, step, observed_at).
const sql = `
WITH passes AS (
  SELECT protocol, pass, groupArray(kind) AS kinds, max(at) AS at FROM (
    SELECT protocol, kind, argMax(pass_id, observed_at) AS pass, max(observed_at) AS at
    FROM server_snapshots
    ARRAY JOIN if(empty(measured), {kinds:Array(String)}, CAST(measured, 'Array(String)')) AS kind
    WHERE domain = {domain:String}
      AND observed_at >= (SELECT max(observed_at) FROM server_snapshots WHERE domain = {domain:String}) - INTERVAL ${LOOKBACK_DAYS} DAY
    GROUP BY protocol, kind
  )
  GROUP BY protocol, pass
)
SELECT o.protocol AS protocol, o.step AS step, o.outcome AS outcome, o.duration_ms AS durationMs,
       toString(o.observed_at) AS observedAt, o.facts AS facts, o.error AS error, p.kinds AS kinds,
       toString(o.pass_id) AS pass, toUnixTimestamp64Milli(p.at) AS passAt
FROM observations AS o
INNER JOIN passes AS p ON p.protocol = o.protocol AND p.pass = o.pass_id
WHERE o.domain = {domain:String}
  AND o.observed_at >= (SELECT min(at) - INTERVAL 1 DAY FROM passes)
  AND (o.protocol, o.pass_id) IN (SELECT protocol, pass FROM passes)
ORDER BY o.protocol, o.observed_at, o.step
LIMIT 500`;

/**
 * The probe steps that explain a server's current facts: for each kind of fact
 * (crawler/fact-kinds.ts), the steps of that kind from the last pass that
 * measured it, in the order they ran. A server probed hourly for liveness
 * still shows the room walk and the registration request of the day or week
 * they last ran, instead of losing them an hour later. Call it only for a
 * domain {@link getServer} returned.
 */
export async function getServerObservations(db: Db, params: { domain: string }): Promise<ObservationRow[]> {
  type Row = Omit<ObservationRow, 'facts' | 'outcome'> & { facts: string; outcome: string; kinds: string[]; pass: string; passAt: number | string };
  const rows = await queryRows<Row>(db, sql, { domain: params.domain, kinds: [...FACT_KINDS] });
  // The latest pass of each protocol shows every step it ran, whatever kinds its snapshot counts as
  // measured (a failed probe measured only liveness, yet the steps it tried explain the failure);
  // a step it did not run comes from the last pass that measured that step's kind.
  const latest = new Map<string, { pass: string; at: number }>();
  for (const r of rows) {
    const at = Number(r.passAt);
    if ((latest.get(r.protocol)?.at ?? -Infinity) < at) latest.set(r.protocol, { pass: r.pass, at });
  }
  const eligible = rows.filter((r) => latest.get(r.protocol)?.pass === r.pass || r.kinds.includes(kindOfStep(r.step)));
  // One pass per (protocol, step): the newest eligible one.
  const from = new Map<string, { pass: string; at: number }>();
  for (const r of eligible) {
    const key = `${r.protocol}\0${r.step}`;
    const at = Number(r.passAt);
    if ((from.get(key)?.at ?? -Infinity) < at) from.set(key, { pass: r.pass, at });
  }
  return eligible.filter((r) => from.get(`${r.protocol}\0${r.step}`)?.pass === r.pass).map(({ kinds: _kinds, pass: _pass, passAt: _at, ...r }) => {
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
