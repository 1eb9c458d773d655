/** One day's coverage: how many servers were probed. */
export interface DayCoverage {
  day: string;
  probed: number;
}

/**
 * Pick the day that totals are shown "as of": the latest day whose coverage is
 * at least `ratio` of the best coverage in the `window` days up to it. A pass
 * that is still running today covers few servers; showing its sums as network
 * totals would be wrong, so the previous complete day is chosen instead.
 * Days are `YYYY-MM-DD`; the input need not be sorted. Returns `null` when empty.
 * @param ratio @default 0.9
 * @param window @default 8
 */
export function chooseAsOf(days: readonly DayCoverage[], ratio = 0.9, window = 8): string | null {
  const sorted = [...days].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  for (let i = sorted.length - 1; i >= 0; i--) {
    const d = sorted[i]!;
    const start = Date.parse(d.day) - (window - 1) * 86_400_000;
    let best = 0;
    for (let j = i; j >= 0 && Date.parse(sorted[j]!.day) >= start; j--) best = Math.max(best, sorted[j]!.probed);
    if (d.probed > 0 && d.probed >= ratio * best) return d.day;
  }
  return null;
}
