/**
 * The link to another page of a keyset-paged listing: the same URL (path and
 * every filter) with `cursor` replaced, or removed for the first page.
 * Relative (path and query), as the pages' pagers print it.
 */
export function cursorLink(url: URL, cursor: string | null): string {
  const u = new URL(url);
  u.searchParams.delete('cursor');
  if (cursor) u.searchParams.set('cursor', cursor);
  const qs = u.searchParams.toString();
  return `${u.pathname}${qs ? `?${qs}` : ''}`;
}
