import type { Step } from './bucket-sql.ts';

/**
 * The last day of the `step` bucket that starts on `bucket` (`YYYY-MM-DD`, UTC):
 * the day itself, the Sunday after a Monday, the last day of a month. Pure;
 * mirrors `BUCKET_SQL`, whose buckets start on a day, a Monday, a month's first day.
 */
export function bucketEnd(step: Step, bucket: string): string {
  const t = Date.parse(`${bucket}T00:00:00Z`);
  if (Number.isNaN(t)) throw new TypeError(`bucket ${JSON.stringify(bucket)} is not a YYYY-MM-DD day`);
  const d = new Date(t);
  if (step === 'day') return bucket;
  if (step === 'week') return new Date(t + 6 * 86_400_000).toISOString().slice(0, 10);
  if (step === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
  throw new TypeError(`unknown step ${JSON.stringify(step)}; expected day, week or month`);
}
