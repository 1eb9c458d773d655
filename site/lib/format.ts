/**
 * Number, share and date formatting for the pages. Pure and locale-fixed
 * (en-US grouping, UTC dates), so a page renders the same on every server.
 */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** `12,345`; `—` for null. */
export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : int.format(n);
}

/** `12.3K` for large numbers, plain below 10,000. */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.abs(n) < 10_000 ? int.format(n) : compact.format(n);
}

/** `part / whole` as a percentage with one decimal (`42.5%`); `—` when whole is 0. */
export function formatShare(part: number, whole: number): string {
  if (!whole) return '—';
  const p = (part / whole) * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** Signed change: `+12`, `−3`, `±0` (true minus sign for screen readers and typography). */
export function formatChange(delta: number | null): string {
  if (delta === null || !Number.isFinite(delta)) return '—';
  if (delta === 0) return '±0';
  return `${delta > 0 ? '+' : '\u2212'}${int.format(Math.abs(delta))}`;
}

/** Signed change in percentage points between two shares: `+1.2 pts`. */
export function formatPointChange(now: number | null, before: number | null): string {
  if (now === null || before === null) return '—';
  const d = (now - before) * 100;
  if (Math.abs(d) < 0.05) return '±0 pts';
  return `${d > 0 ? '+' : '\u2212'}${Math.abs(d).toFixed(1)} pts`;
}

/** `2026-11-20` from an ISO date or day. */
export function formatDay(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

/** `2026-11-20 11:50 UTC` from an ISO timestamp. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `3 days ago`, `5 hours ago`, `in 10 days` relative to `now`. */
export function formatAgo(iso: string | null | undefined, now: Date): string {
  if (!iso) return 'never';
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'never';
  const abs = Math.abs(ms);
  const [n, unit] = abs < 3_600_000 ? [Math.round(abs / 60_000), 'minute'] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), 'hour'] : [Math.round(abs / 86_400_000), 'day'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}
