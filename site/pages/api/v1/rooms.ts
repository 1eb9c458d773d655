/** GET /api/v1/rooms: the room directory search with the site's filters. */
import { apiRoute, optionsRoute } from '../../../lib/api/route.ts';
import { parseQuery } from '../../../lib/api/validate.ts';
import { jsonResponse } from '../../../lib/api/json-response.ts';
import { roomSearchParams } from '../../../lib/params.ts';
import { searchDirectory } from '../../../../db/room-index/search-directory.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const q = parseQuery(new URL(request.url), roomSearchParams);
  if (!q.ok) return q.response;
  const page = await searchDirectory(deps.db, { ...q.value, now: deps.now() });
  return jsonResponse(request, { rooms: page.rows, total: page.total, page: page.page, pages: page.pages }, { maxAge: 60 });
}, { cacheSeconds: 60 });

export const OPTIONS = optionsRoute;
