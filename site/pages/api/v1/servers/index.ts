/** GET /api/v1/servers: the server list with the site's filters, sorted, in cursor pages. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { problem } from '../../../../lib/api/problem.ts';
import { signCursor, verifyCursor } from '../../../../lib/api/cursor.ts';
import { apiServerListParams } from '../../../../lib/api/operations.ts';
import { listServers } from '../../../../../db/queries/servers/list-servers.ts';
import { InvalidCursorError } from '../../../../../db/queries/servers/invalid-cursor-error.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const url = new URL(request.url);
  const q = parseQuery(url, apiServerListParams);
  if (!q.ok) return q.response;
  // The query's own cursor is validated by listServers; the API signs it too, so a client cannot
  // hand-craft a seek position. A well-formed cursor that is not ours names no page: 404 (documented).
  let cursor: string | undefined;
  if (q.value.cursor !== undefined) {
    cursor = verifyCursor(q.value.cursor, deps.cursorKey) ?? undefined;
    if (cursor === undefined) return problem('invalid-cursor', 'the cursor was not issued by this server (or has expired); start again from the first page');
  }
  let page;
  try {
    page = await listServers(deps.db, { ...q.value, cursor });
  } catch (error) {
    if (error instanceof InvalidCursorError) return problem('invalid-cursor', error.message);
    throw error;
  }
  const headers: Record<string, string> = {};
  const nextCursor = page.nextCursor === null ? null : signCursor(page.nextCursor, deps.cursorKey);
  if (nextCursor) {
    const next = new URL(url);
    next.searchParams.set('cursor', nextCursor);
    headers.link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  return jsonResponse(request, { servers: page.rows, total: page.total, nextCursor }, { maxAge: 60, headers });
}, { cacheSeconds: 60 });

export const OPTIONS = optionsRoute;
