/** The server list (`/servers`): filters, sort and cursor paging from the query string. */
import type { Db } from '../../../db/client.ts';
import { listServers, type ServerListPage } from '../../../db/queries/servers/list-servers.ts';
import { InvalidCursorError } from '../../../db/queries/servers/invalid-cursor-error.ts';
import { parseQuery, serverListParams, type ServerListParams } from '../params.ts';
import type { PageResult } from './page-result.ts';
import { cursorLink } from './cursor-link.ts';

/** Everything `/servers` renders. */
export interface ServersView {
  params: ServerListParams;
  page: ServerListPage;
  /** Link to the next page (same filters), or null. */
  nextHref: string | null;
  /** Link to the first page when not on it. */
  firstHref: string | null;
}

/** Load `/servers` for `url`. */
export async function loadServers(db: Db, url: URL): Promise<PageResult<ServersView>> {
  const q = parseQuery(serverListParams, url.searchParams);
  if (!q.ok) return { kind: 'bad-request', issues: q.issues };
  const p = q.value;
  let page: ServerListPage;
  try {
    page = await listServers(db, p);
  } catch (error) {
    if (error instanceof InvalidCursorError) return { kind: 'bad-request', issues: [{ field: 'cursor', message: error.message }] };
    throw error;
  }
  const link = (cursor: string | null) => cursorLink(url, cursor);
  return { kind: 'ok', view: { params: p, page, nextHref: page.nextCursor ? link(page.nextCursor) : null, firstHref: p.cursor ? link(null) : null } };
}
