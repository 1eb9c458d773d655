/**
 * One line of a server's health report as the crawler writes it
 * (`ServerSnapshot.report`, stored as JSON in `server_snapshots.report`), and
 * the one parser every reader of the stored JSON uses. Written by
 * crawler/probe/*, crawler/discover/matrix-resolve.ts; read by the store
 * (db/queries/servers/get-server.ts) and from there by the site and the API.
 */

/** How serious a line is, mildest last: what the federation tester calls pass / info / warning / fail. */
export const REPORT_LEVELS = ['error', 'warn', 'info', 'ok'] as const;
export type ReportLevel = (typeof REPORT_LEVELS)[number];

/**
 * One line of a server's health report, as the federation tester shows it:
 * what was checked, the verdict, and for problems how to fix them.
 */
export interface ReportItem {
  /** The probe step it is about (same names as Observation.step). */
  step: string;
  level: ReportLevel;
  /** What was found, in a sentence a server admin understands. */
  message: string;
  /** How to fix it, when level is warn or error. */
  fix?: string;
}

/** Most items kept from one stored report. @default 100 */
export const MAX_REPORT_ITEMS = 100;
/** Longest step name, message or fix kept, in characters. @default 1000 */
export const MAX_REPORT_TEXT = 1000;

const LEVELS: ReadonlySet<string> = new Set(REPORT_LEVELS);

/**
 * The well-formed items of a stored report. The JSON is read back from the
 * store, which holds what older crawler versions wrote too, and a report cut
 * at the store's byte cap is not JSON at all: so anything that is not an
 * array gives `[]`, malformed items are dropped (never the whole report), and
 * strings are capped at {@link MAX_REPORT_TEXT}.
 * @param stored the parsed JSON value, or the JSON text itself
 */
export function parseReportItems(stored: unknown): ReportItem[] {
  let value = stored;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(value)) return [];
  const out: ReportItem[] = [];
  for (const item of value.slice(0, MAX_REPORT_ITEMS)) {
    if (item === null || typeof item !== 'object') continue;
    const r = item as Record<string, unknown>;
    if (typeof r.step !== 'string' || typeof r.message !== 'string' || typeof r.level !== 'string' || !LEVELS.has(r.level)) continue;
    const parsed: ReportItem = { step: r.step.slice(0, MAX_REPORT_TEXT), level: r.level as ReportLevel, message: r.message.slice(0, MAX_REPORT_TEXT) };
    if (typeof r.fix === 'string' && r.fix !== '') parsed.fix = r.fix.slice(0, MAX_REPORT_TEXT);
    out.push(parsed);
  }
  return out;
}
