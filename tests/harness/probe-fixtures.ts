/**
 * The recorded probe results of tests/fixtures/probe-results (see its
 * SOURCE.md), read back as the crawler's readers read stored values: Dates
 * revived, every outcome through `parseOutcome` and the report through
 * `parseReportItems` (so the legacy files go through the same mapping as old
 * rows of a store).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOutcome, parseReportItems, type ProbeResult } from '../../crawler/types.ts';

/** The folder of the current captures; `legacy-outcomes/` beside them holds those of the crawler before the outcome union. */
export const PROBE_RESULTS_DIR = new URL('../fixtures/probe-results/', import.meta.url).pathname;
export const LEGACY_DIR = join(PROBE_RESULTS_DIR, 'legacy-outcomes');

/** Keys of the ProbeResult shape that hold Dates. */
const DATE_KEYS = new Set(['observedAt', 'foundAt', 'validFrom', 'validTo']);

/** One recorded result, as the JSON text of a file. */
export function parseProbeFixture(text: string): ProbeResult {
  const r = JSON.parse(text, (k, v: unknown) => (DATE_KEYS.has(k) && typeof v === 'string' ? new Date(v) : v)) as ProbeResult;
  for (const o of r.observations) o.outcome = parseOutcome(o.step, o.outcome);
  r.snapshot.report = parseReportItems(r.snapshot.report);
  return r;
}

/** Load `<dir>/<name>.json`. */
export function loadProbeFixture(name: string, dir = PROBE_RESULTS_DIR): ProbeResult {
  return parseProbeFixture(readFileSync(join(dir, `${name}.json`), 'utf8'));
}

/** Names (without `.json`) of the fixtures in `dir`. */
export function probeFixtureNames(dir = PROBE_RESULTS_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
}
