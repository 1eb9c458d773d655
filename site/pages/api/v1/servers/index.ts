/** GET /api/v1/servers: the server list with the site's filters, sorted, in cursor pages. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { problem } from '../../../../lib/api/problem.ts';
import { serverListParams } from '../../../../lib/params.ts';
import { listServers } from '../../../../../db/queries/servers/list-servers.ts';
import { InvalidCursorError } from '../../../../../db/queries/servers/invalid-cursor-error.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const url = new URL(request.url);
  const q = parseQuery(url, serverListParams);
  if (!q.ok) return q.response;
  let page;
  try {
    page = await listServers(deps.db, q.value);
  } catch (error) {
    if (error instanceof InvalidCursorError) return problem('invalid-cursor', error.message);
    throw error;
  }
  const headers: Record<string, string> = {};
  if (page.nextCursor) {
    const next = new URL(url);
    next.searchParams.set('cursor', page.nextCursor);
    headers.link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  return jsonResponse(request, { servers: page.rows, total: page.total, nextCursor: page.nextCursor }, { maxAge: 60, headers });
});

export const OPTIONS = optionsRoute;
