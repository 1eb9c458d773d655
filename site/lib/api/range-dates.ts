/** Turns a `range` parameter into the inclusive UTC day span the queries take. */
import { rangeDays, type Range } from '../params.ts';

/** The first day Chatlas could have data for; `all` starts here. */
export const EPOCH_DAY = '2020-01-01';

/** `{ from, to }` as `YYYY-MM-DD` for `range` ending on `now`'s day. */
export function rangeDates(range: Range, now: Date): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const days = rangeDays(range);
  const from = days === null ? EPOCH_DAY : new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}
