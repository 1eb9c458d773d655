/**
 * Numeric comparison of dotted versions, the one order Chatlas uses for
 * "newer": the software pages' release adoption (site/lib/upgrade-speed.ts)
 * and the guide's release data (db/queries/guide/list-guide-facts.ts).
 * Each dot-, plus- or dash-separated part compares as a number, so `1.10.0`
 * is newer than `1.9.3`; a missing or non-numeric part is lowest, so '' is
 * lower than any version and `25.10` lower than `25.10.0`.
 * @returns negative when `a` is older, positive when newer, 0 when equal.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[.+-]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i] ?? NaN) ? -1 : pa[i]!;
    const y = Number.isNaN(pb[i] ?? NaN) ? -1 : pb[i]!;
    if (x !== y) return x - y;
  }
  return 0;
}
