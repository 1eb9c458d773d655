/** Time-series buckets; the values match `STEPS` in site/lib/params.ts. */
export type Step = 'day' | 'week' | 'month';

/**
 * The allow-list that turns a step into SQL over a `day` (Date) column.
 * Never interpolate anything else into a query: this table is the only
 * source of the bucket expression.
 */
export const BUCKET_SQL: Readonly<Record<Step, string>> = {
  day: 'day',
  week: 'toMonday(day)',
  month: 'toStartOfMonth(day)',
};

/** The bucket expression of `step`; throws on anything outside the allow-list. */
export function bucketSql(step: Step): string {
  const sql = BUCKET_SQL[step];
  if (!sql) throw new TypeError(`unknown step ${JSON.stringify(step)}; expected day, week or month`);
  return sql;
}
