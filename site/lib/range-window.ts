/**
 * Turns a `?range=` choice into the day window and bucket size the series
 * queries take. Pure: "now" is passed in.
 */
import { defaultStep, rangeDays, type Range, type Step } from './params.ts';

/** First history day considered for `all`: before Chatlas existed, so nothing is cut. */
const EPOCH = '2024-01-01';

/** A day window for a series query. */
export interface RangeWindow {
  from: string;
  to: string;
  step: Step;
}

/** The window of `range` ending on the day of `now` (UTC). */
export function rangeWindow(range: Range, now: Date, step?: Step): RangeWindow {
  const to = now.toISOString().slice(0, 10);
  const days = rangeDays(range);
  const from = days === null ? EPOCH : new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to, step: step ?? defaultStep(range) };
}
