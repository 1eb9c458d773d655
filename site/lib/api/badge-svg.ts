/**
 * A flat status badge (shields.io layout) as SVG. Every text is XML-escaped
 * and cut, so a hostile domain or version string cannot inject markup into a
 * page that embeds the badge.
 */

/** Escape text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Approximate width of Verdana 11px text (the badge font), px. */
function textWidth(s: string): number {
  return Math.round(s.length * 6.5 + 10);
}

/** Badge colours by status (WCAG AA contrast with white text). */
export const BADGE_COLORS = { ok: '#2e7d32', down: '#c62828', unknown: '#616161', warn: '#b26a00' } as const;

/** Render a badge `label | message`. */
export function renderBadge(label: string, message: string, color: keyof typeof BADGE_COLORS): string {
  const l = label.slice(0, 40);
  const m = message.slice(0, 60);
  const lw = textWidth(l);
  const mw = textWidth(m);
  const w = lw + mw;
  const title = escapeXml(`${l}: ${m}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${title}"><title>${title}</title>`
    + `<rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${BADGE_COLORS[color]}"/>`
    + `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">`
    + `<text x="${lw / 2}" y="14">${escapeXml(l)}</text><text x="${lw + mw / 2}" y="14">${escapeXml(m)}</text></g></svg>`;
}
