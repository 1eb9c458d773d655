/**
 * ClickHouse renders `DateTime64(3, 'UTC')` as `2026-11-20 11:50:12.061`;
 * the site and the API speak ISO 8601 (`2026-11-20T11:50:12.061Z`).
 * `null`, '' and the zero date (`1970-01-01 00:00:00`) become `null`.
 */
export function toIso(value: string | null | undefined): string | null {
  if (!value || value.startsWith('1970-01-01')) return null;
  return value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
}
