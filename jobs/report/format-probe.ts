/**
 * A probe result as text a person can read: the verdict first, then the
 * facts, the health report with fixes (the same model, in the same order, as
 * the server page and the registration page: crawler/health/health-report.ts),
 * the rooms, and every step with its outcome and time. Pure, so it is unit-tested.
 */
import type { ProbeResult, ReportLevel } from '../../crawler/types.ts';
import { probeHealthReport } from '../../crawler/health/probe-health-report.ts';

const MARK: Record<ReportLevel, string> = { ok: 'ok  ', info: 'info', warn: 'WARN', error: 'FAIL' };

/** Remove control characters so crawled text cannot move the cursor or recolour a terminal. */
export function safeText(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex -- the point is to strip control characters
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

const yesNo = (v: boolean | null): string => (v === null ? 'unknown' : v ? 'yes' : 'no');

/** Format one protocol's result. */
export function formatProbe(result: ProbeResult): string {
  const s = result.snapshot;
  const lines: string[] = [];
  lines.push(`${s.domain} (${s.protocol}): ${s.status}${s.error ? ` — ${safeText(s.error)}` : ''}`);
  const software = s.software === 'unknown' ? 'unknown' : `${s.software}${s.versionRaw ? ` ${safeText(s.versionRaw, 60)}` : ''}`;
  lines.push(`  software      ${software}`);
  lines.push(`  registration  ${s.registration}`);
  if (s.endpoint) lines.push(`  endpoint      ${safeText(s.endpoint)}`);
  if (s.tls) {
    const t = s.tls;
    const valid = t.chainValid && t.nameValid ? 'valid' : `INVALID${t.error ? ` (${safeText(t.error)})` : ''}`;
    lines.push(`  tls           ${t.protocol ?? '?'} ${valid}${t.validTo ? `, expires ${t.validTo.toISOString().slice(0, 10)}` : ''}${t.issuer ? `, issuer ${safeText(t.issuer, 80)}` : ''}`);
  } else {
    lines.push('  tls           not observed');
  }
  lines.push(`  dns           dnssec ${yesNo(s.dnssec)}, dane ${yesNo(s.dane)}, ipv4 ${yesNo(s.ipv4)}, ipv6 ${yesNo(s.ipv6)}`);
  if (s.specVersions.length > 0) lines.push(`  spec versions ${s.specVersions.join(' ')}`);
  if (s.features.length > 0) lines.push(`  features      ${s.features.length} (${s.features.slice(0, 8).map((f) => safeText(f, 60)).join(', ')}${s.features.length > 8 ? ', …' : ''})`);
  lines.push(`  public rooms  ${s.publicRooms}${s.publicMembers ? ` with ${s.publicMembers} members` : ''}`);
  if (s.users !== null) lines.push(`  users         ${s.users}`);
  const findings = probeHealthReport(result);
  if (findings.length > 0) {
    lines.push('', '  Health report');
    for (const f of findings) {
      lines.push(`    ${MARK[f.level]} ${safeText(f.title, 300)}`);
      if (f.detail) lines.push(`         ${safeText(f.detail, 300)}`);
      if (f.fix) lines.push(`         fix: ${safeText(f.fix, 300)}`);
      if (f.steps.length > 0) lines.push(`         steps: ${f.steps.map((x) => safeText(x, 60)).join(', ')}`);
    }
  }
  if (result.rooms.length > 0) {
    lines.push('', '  Public rooms');
    const top = [...result.rooms].sort((a, b) => b.members - a.members).slice(0, 20);
    for (const r of top) lines.push(`    ${String(r.members).padStart(6)}  ${safeText(r.address || r.roomId, 60)}  ${safeText(r.name, 60)}${r.roomType === 'space' ? ' [space]' : ''}`);
    if (result.rooms.length > top.length) lines.push(`    … and ${result.rooms.length - top.length} more`);
  }
  lines.push('', '  Steps');
  for (const o of result.observations) {
    lines.push(`    ${o.step.padEnd(28)} ${o.outcome.padEnd(24)} ${String(Math.round(o.durationMs)).padStart(5)} ms${o.error ? `  ${safeText(o.error, 120)}` : ''}`);
  }
  if (result.discoveries.length > 0) {
    const names = [...new Set(result.discoveries.map((d) => d.domain))];
    lines.push('', `  Found ${names.length} other domain${names.length === 1 ? '' : 's'}: ${names.slice(0, 10).map((n) => safeText(n, 80)).join(', ')}${names.length > 10 ? ', …' : ''}`);
  }
  return lines.join('\n');
}

/** JSON for machines: Dates as ISO strings. */
export function probeResultJson(results: ProbeResult[]): string {
  return JSON.stringify(results, null, 2);
}
